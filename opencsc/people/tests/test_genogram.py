"""The genogram: generations in the right order, genogram symbols, only the relatives the user may see,
and the same access rule and audit trail as the record itself."""

from __future__ import annotations

import datetime as dt
import re
import time
from itertools import pairwise

import pytest

from opencsc.audit.models import AuditEvent
from opencsc.people.genogram import Family, Link, Member, layout, render_svg
from opencsc.people.models import FamilyGroup, FamilyMembership, RelationshipKind
from opencsc.people.tests.factories import ChildFactory, PersonFactory, RelationshipFactory, UnbornChildFactory

K = RelationshipKind
TODAY = dt.date(2026, 6, 1)


def _member(
    pk: int, name: str, sex: str = "F", *, child: bool = False, born: int | None = 1990, **extra: object
) -> Member:
    first, _, last = name.partition(" ")
    return Member(
        id=pk,
        first_name=first,
        last_name=last,
        sex=sex,
        is_child=child,
        born=dt.date(born, 5, 1) if born else None,
        **extra,
    )  # type: ignore[arg-type]


def _three_generations() -> Family:
    """Grandmother → mother (with her partner and a former partner) → the subject and her siblings."""
    people = [
        _member(1, "Amy Ward", child=True, born=2015),
        _member(2, "Jo Ward", born=1990),
        _member(3, "Sam Ward", "M", born=1988),
        _member(4, "Pat Ward", born=1960),
        _member(5, "Lee Ward", "M", child=True, born=2012),
        _member(6, "Kim Hart", "M", born=1985, died=dt.date(2020, 1, 1)),
        _member(7, "Rae Hart", child=True, born=2010),
        _member(8, "", "U", child=True, born=None, expected=dt.date(2026, 9, 1)),
    ]
    links = [
        Link(2, 1, K.PARENT),
        Link(3, 1, K.PARENT),
        Link(2, 5, K.PARENT),
        Link(3, 5, K.PARENT),
        Link(3, 2, K.PARTNER),
        Link(4, 2, K.PARENT),
        Link(4, 1, K.GRANDPARENT),
        Link(6, 2, K.FORMER_PARTNER),
        Link(6, 7, K.PARENT),
        Link(2, 7, K.PARENT),
        Link(7, 1, K.HALF_SIBLING),
        Link(5, 1, K.SIBLING),
        Link(2, 8, K.PARENT),
    ]
    return Family(subject_id=1, members={m.id: m for m in people}, links=links)


def test_layout_puts_parents_above_children_and_partners_side_by_side():
    family = _three_generations()
    plan = layout(family)
    y = {pk: plan.y(pk) for pk in family.members}
    assert y[4] < y[2] < y[1]  # grandmother, mother, child
    assert y[3] == y[2] == y[6]  # the mother's partner and former partner stand beside her
    assert y[1] == y[5] == y[7] == y[8]  # the children (and the unborn baby) share a row
    assert sorted(y.values())[0] == y[4] and max(y.values()) == y[1]
    row = sorted((pk for pk in family.members if y[pk] == y[2]), key=plan.x.__getitem__)
    assert row.index(2) == 1  # mother between her partner and her former partner
    # Children sit under their parents: the couple's children are nearer them than the former partner.
    couple_middle = (plan.x[2] + plan.x[3]) / 2
    assert abs(plan.x[1] - couple_middle) < abs(plan.x[1] - plan.x[6])
    assert plan.x[5] < plan.x[1]  # the elder sibling on the left
    xs = sorted(plan.x[pk] for pk in family.members if y[pk] == y[1])
    assert all(b - a >= 100 for a, b in pairwise(xs))  # nobody drawn on top of anybody


def test_svg_follows_genogram_conventions():
    family = _three_generations()
    svg = str(render_svg(family, layout(family), today=TODAY))
    assert svg.count("<rect") == 3  # three males: squares
    females = sum(1 for m in family.members.values() if m.sex == "F")
    assert svg.count("<circle") == females + 1  # circles, and the subject's double outline
    assert re.search(r'<path d="M[\d.]+ [\d.]+L[\d.]+ [\d.]+H[\d.]+Z" fill', svg)  # the unborn baby's triangle
    assert "Due Sep 2026" in svg and "Died 2020" in svg and "Age 11" in svg
    assert 'role="img"' in svg and '<title id="genogram-title">Genogram of the family of Amy Ward</title>' in svg
    assert "style=" not in svg and "<script" not in svg  # the CSP allows neither inline styles nor scripts


def test_names_are_escaped_in_the_drawing():
    family = _three_generations()
    family.members[3] = _member(3, "Sam <b>Ward</b>", "M", born=1988)
    svg = str(render_svg(family, layout(family), today=TODAY))
    assert "<b>" not in svg and "&lt;b&gt;" in svg


def _family_in_db(child):
    """The child's family group: mother, father, a brother and an unborn sibling; a restricted aunt; a
    cousin of the brother's, related to nobody the worker may see; and a stranger in no family at all."""
    mother = PersonFactory(sex="F", first_name="Maria", last_name="Ward")
    RelationshipFactory(person=mother, relative=child, kind=K.PARENT)
    father = PersonFactory(sex="M", first_name="Frank", last_name="Ward")
    RelationshipFactory(person=father, relative=child, kind=K.PARENT)
    RelationshipFactory(person=father, relative=mother, kind=K.PARTNER)
    brother = ChildFactory(first_name="Billy", last_name="Ward")
    RelationshipFactory(person=mother, relative=brother, kind=K.PARENT)
    RelationshipFactory(person=brother, relative=child, kind=K.SIBLING)
    unborn = UnbornChildFactory(last_name="Ward")
    RelationshipFactory(person=mother, relative=unborn, kind=K.PARENT)
    aunt = PersonFactory(sex="F", first_name="Hidden", last_name="Restricted", is_restricted=True)
    RelationshipFactory(person=aunt, relative=child, kind=K.AUNT_UNCLE)
    family = FamilyGroup.objects.create(name="Ward family")
    for person in (mother, father, child, brother, unborn):
        FamilyMembership.objects.create(person=person, family=family)
    cousin = ChildFactory(first_name="Outof", last_name="Scope")
    RelationshipFactory(person=cousin, relative=brother, kind=K.COUSIN)
    PersonFactory(first_name="Nobody", last_name="Elsewhere")
    return {"visible": [mother, father, brother, child], "unborn": unborn, "hidden": [aunt, cousin]}


@pytest.mark.django_db
def test_genogram_shows_each_visible_relative_and_no_hidden_one(client_for, social_worker, child):
    people = _family_in_db(child)
    response = client_for(social_worker).get(f"/people/{child.pk}/genogram/")
    assert response.status_code == 200
    page = response.content.decode()
    svg = page[page.index("<svg") : page.index("</svg>")]
    for person in people["visible"]:
        assert person.first_name in svg and person.last_name in svg
        assert person.full_name in page[page.index("</svg>") :]  # and in the text alternative
    assert "Unborn" in svg
    for person in people["hidden"]:  # the restricted aunt, and a cousin outside the worker's scope
        # Surnames carry a unique suffix; a first name alone may also be a relative's or the signed-in user's.
        assert person.last_name not in page and person.full_name not in page
    assert "Nobody" not in page
    assert "Aunt or uncle" not in page and "Cousin of" not in page  # no trace of the hidden relationships
    people_rows = page[page.index("People in the genogram") : page.index("Relationships in the genogram")]
    assert people_rows.count('<th scope="row"') == 5


@pytest.mark.django_db
def test_outsider_gets_404_like_a_missing_record(client_for, outsider, child):
    _family_in_db(child)
    client = client_for(outsider)
    refused = client.get(f"/people/{child.pk}/genogram/")
    missing = client.get("/people/99999999/genogram/")
    assert refused.status_code == missing.status_code == 404
    assert child.last_name not in refused.content.decode()


@pytest.mark.django_db
def test_genogram_view_writes_one_audit_event(client_for, social_worker, outsider, child):
    _family_in_db(child)
    head = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    client_for(social_worker).get(f"/people/{child.pk}/genogram/")
    client_for(outsider).get(f"/people/{child.pk}/genogram/")
    events = list(AuditEvent.objects.filter(seq__gt=head).order_by("seq"))
    assert [(e.action, e.outcome, e.subject_person_id, e.detail["purpose"]) for e in events] == [
        ("person.view", "allowed", child.pk, "genogram"),
        ("person.access_denied", "denied", child.pk, "genogram"),
    ]
    assert events[0].actor_id == social_worker.pk and events[1].actor_id == outsider.pk


@pytest.mark.django_db
def test_record_page_links_to_the_genogram(client_for, social_worker, child):
    page = client_for(social_worker).get(f"/people/{child.pk}/").content.decode()
    assert f'href="/people/{child.pk}/genogram/">See the family as a genogram</a>' in page


@pytest.mark.django_db
def test_queries_do_not_grow_with_the_family(client_for, social_worker, child, django_assert_max_num_queries):
    client = client_for(social_worker)
    _family_in_db(child)
    client.get(f"/people/{child.pk}/genogram/")  # warm the session
    with django_assert_max_num_queries(30) as small:
        client.get(f"/people/{child.pk}/genogram/")
    mother = child.relationships_in.get(kind=K.PARENT, person__first_name="Maria").person
    family = FamilyGroup.objects.get(name="Ward family")
    for _ in range(20):
        sibling = ChildFactory(last_name="Ward")
        RelationshipFactory(person=mother, relative=sibling, kind=K.PARENT)
        FamilyMembership.objects.create(person=sibling, family=family)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(f"/people/{child.pk}/genogram/")
    assert response.content.decode().count('<th scope="row"') == 5 + 20  # all drawn and listed


def _thirty(subject_id: int = 1) -> Family:
    """Four generations, 30 people: the size the benchmark in the report uses."""
    members, links, pk = {}, [], 0

    def add(name: str, sex: str, born: int) -> int:
        nonlocal pk
        pk += 1
        members[pk] = _member(pk, name, sex, child=born > 2008, born=born)
        return pk

    grand = [add(f"G{i} Old", "MF"[i % 2], 1940 + i) for i in range(4)]
    links += [Link(grand[0], grand[1], K.PARTNER), Link(grand[2], grand[3], K.PARTNER)]
    parents = []
    for couple in ((grand[0], grand[1]), (grand[2], grand[3])):
        for i in range(3):
            kid = add(f"P{pk} Mid", "MF"[i % 2], 1965 + i)
            parents.append(kid)
            links += [Link(couple[0], kid, K.PARENT), Link(couple[1], kid, K.PARENT)]
    for a, b in ((parents[0], parents[3]), (parents[1], parents[4]), (parents[2], parents[5])):
        links.append(Link(a, b, K.PARTNER))
        for i in range(5):
            kid = add(f"C{pk} Young", "MF"[i % 2], 1995 + i)
            links += [Link(a, kid, K.PARENT), Link(b, kid, K.PARENT)]
    young_parent = pk
    for _ in range(5):
        links.append(Link(young_parent, add(f"B{pk} Baby", "U", 2020), K.PARENT))
    return Family(subject_id=subject_id + 10, members=members, links=links)


def test_thirty_people_are_laid_out_without_overlap_quickly():
    family = _thirty()
    assert len(family.members) == 30
    started = time.perf_counter()
    plan = layout(family)
    svg = str(render_svg(family, plan, today=TODAY))
    elapsed = time.perf_counter() - started
    assert svg.count("<text") == 30
    for pk in family.members:
        same_row = [other for other in family.members if other != pk and plan.y(other) == plan.y(pk)]
        assert all(abs(plan.x[pk] - plan.x[other]) >= 100 for other in same_row)
    assert elapsed < 1.0, f"{elapsed:.3f} s"  # about 2 ms on a laptop; generous for a loaded CI machine
