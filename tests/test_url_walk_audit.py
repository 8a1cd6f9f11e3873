"""Audit is complete by construction (issue 10, defect 2): walk EVERY URL pattern of the project as every
role, on a seeded demo borough, and fail on any response that shows a seeded person's name or
identifier (full name, NHS number, LA child id, UPN) without an audit event about that person written
in that same request.

The patterns are discovered from the URL resolver, so a page another engineer adds is walked too. A
new URL parameter the walk does not know how to fill fails the test with a message saying so: teach
`_values_for` (below) where to find a real value for it. Only pages that cannot be reached with a GET
and a seeded value go in `NOT_WALKED`, each with the reason; nothing there may render personal data.

An audit event covers a person shown when it names them as its subject, or lists them in
`detail["person_ids"]` (searches and lists such as the home page's caseload).

Audit completeness over the walk (reads of a person's data that wrote their event / all such reads)
is printed, and must be 100 %. Run `pytest tests/test_url_walk_audit.py -s` to see it.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from opencsc.accounts.models import User
from opencsc.audit.models import AuditEvent
from opencsc.audit.services import Actor
from opencsc.demo.borough import PERSONAS
from opencsc.people import identifiers
from opencsc.people.models import Person
from opencsc.people.parts import PART_KINDS
from opencsc.people.selectors import caseload_for_user

pytestmark = pytest.mark.django_db(transaction=False)

# Pages the walk does not GET, and why. Each must be either unreachable by GET or provably free of
# any person's data; anything else belongs in the walk.
NOT_WALKED: dict[str, str] = {
    "casework:service_edit": "the services catalogue: names services and providers, no person (casework tests)",
    "privacy:processor_contract_end": "POST only (GET is 405); ends a processor contract",
    "accounts:logout": "POST only (GET is 405); signs the user out",
    "casework:tray_assign": "POST only (GET is 405); redirects to the tray",
    "casework:tray_done": "POST only (GET is 405); redirects to the tray",
    "accounts:issue_enrolment_code": "POST only (GET is 405); shows a staff account's code, no person",
    "accounts:device_reset_decide": "POST only (GET is 405); redirects to the sign-in set-up page",
    "returns:download": "POST only (GET is 405); the download records per-child disclosures (returns tests)",
    "sharing:view_revoke": "POST only (GET is 405); redirects to the disclosure log",
    "partners:member_disable": "POST only (GET is 405); redirects to the organisation's users (staff, no child)",
}


@dataclass
class World:
    """The seeded borough and the ids the walk fills URL parameters with."""

    users: list[User]
    child: Person
    person_ids: list[int]
    parts: list[tuple[str, int]]
    step_objects: list[tuple[str, int]]
    disclosure_ids: list[int] = field(default_factory=list)
    pack_tokens: list[str] = field(default_factory=list)
    request_ids: list[int] = field(default_factory=list)
    job_ids: list[str] = field(default_factory=list)
    grant_ids: list[int] = field(default_factory=list)
    reset_ids: list[int] = field(default_factory=list)
    # Ids for the parameters of later apps' pages (front door, family groups, matching, rights), by name.
    more: dict[str, list[int]] = field(default_factory=dict)
    # Step pages about other children than `child` (the demo's early help families): (person, slug, object).
    more_steps: list[tuple[int, str, int]] = field(default_factory=list)
    marks: dict[int, list[str]] = field(default_factory=dict)
    # The insight pages' (indicator key, month) pairs: figures the seeded borough has children behind.
    insight: list[tuple[str, str]] = field(default_factory=list)
    goal_ids: list[int] = field(default_factory=list)  # the child's goals (insight outcomes)


def _marks(person: Person) -> list[str]:
    """What on a page identifies this person: the full name and every identifier, as displayed."""
    found = []
    if person.first_name and person.last_name:
        found.append(f"{person.first_name} {person.last_name}")
    if person.nhs_number:
        found += [person.nhs_number, identifiers.format_nhs_number(person.nhs_number)]
    if person.la_child_id:
        found.append(person.la_child_id)
    if getattr(person, "upn", ""):
        found.append(person.upn)
    return [m for m in found if len(m) >= 6]


def _seed(settings: Any, tmp_path: Any) -> World:
    settings.OPENCSC_RETURNS_DIR = str(tmp_path / "returns")
    settings.OPENCSC_RETURNS_RUN_INLINE = True
    settings.OPENCSC_DOCUMENTS_DIR = str(tmp_path / "documents")
    call_command("seed_demo", children=8, seed=3, stdout=io.StringIO())
    users = [User.objects.get(username=username) for username, *_ in PERSONAS]
    worker = users[0]
    caseload = [a.person for a in caseload_for_user(worker)]

    def richness(person: Person) -> int:
        return sum(kind.model._default_manager.filter(person=person).count() for kind in PART_KINDS.values())

    child = max(caseload, key=lambda p: (richness(p), -p.pk))
    relatives = list(Person.objects.filter(relationships__relative=child).values_list("pk", flat=True)[:1]) + list(
        Person.objects.filter(relationships_in__person=child).values_list("pk", flat=True)[:1]
    )
    others = {
        u.username: [a.person_id for a in caseload_for_user(u)][:1] for u in users if u.username != worker.username
    }
    person_ids = sorted({child.pk, *relatives, *itertools.chain.from_iterable(others.values())})
    parts = [
        (slug, obj.pk)
        for slug, kind in PART_KINDS.items()
        for obj in kind.model._default_manager.filter(person=child)[:1]
    ]
    from opencsc.casework.views.steps import STEPS

    step_objects = []
    for slug, spec in STEPS.items():
        if spec.model is not None:
            for obj in spec.model._default_manager.filter(child=child)[:1]:
                step_objects.append((slug, obj.pk))
    world = World(users=users, child=child, person_ids=person_ids, parts=parts, step_objects=step_objects)
    world.marks = {p.pk: _marks(p) for p in Person.objects.all()}
    staff_names = {u.get_full_name() for u in User.objects.all()}
    world.marks = {pk: [m for m in marks if m not in staff_names] for pk, marks in world.marks.items()}
    _sharing_objects(world, users)
    _other_objects(world, users)
    _later_objects(world, users)
    _partner_objects(world, users)
    _insight_objects(world)
    return world


def _sharing_objects(world: World, users: list[User]) -> None:
    from opencsc.privacy.models import Category, LawfulBasis, Purpose
    from opencsc.sharing import services
    from opencsc.sharing.models import Agency, Disclosure
    from opencsc.sharing.selectors import pack_token

    worker = users[0]
    police = Agency.objects.get(name="Exampleton Constabulary Public Protection Unit")
    logged = services.request_log(
        actor_user=worker,
        actor=Actor.from_user(worker),
        person=world.child,
        agency=police,
        kind="crime",
        requester_name="DS Example, CID",
        requester_reference="CRIME/0001",
        received_on=dt.date(2025, 5, 1),
        details="Address history and police information held, for an investigation of an assault.",
        purpose=Purpose.objects.get(code="crime"),
        lawful_basis=LawfulBasis.objects.get(code="art6-1e-public-task"),
        categories=Category.objects.filter(code__in=["address"]),
    )
    world.request_ids.append(logged.pk)
    manager = users[1]
    services.request_decide(actor_user=manager, actor=Actor.from_user(manager), request=logged, approve=True, note="ok")
    address = world.child.addresses.first()
    if address is not None:
        services.request_reply(
            actor_user=worker,
            actor=Actor.from_user(worker),
            request=logged,
            item_keys=[f"{address._meta.label}:{address.pk}:address"],
            consent="safeguarding",
            consent_detail="Police investigation",
        )
    for disclosure in Disclosure.objects.filter(person=world.child)[:1]:
        world.disclosure_ids.append(disclosure.pk)
        world.pack_tokens.append(pack_token(disclosure))


def _other_objects(world: World, users: list[User]) -> None:
    from opencsc.accounts import mfa, services
    from opencsc.returns.build import jobs
    from opencsc.returns.build.common import current_year

    outsider = User.objects.filter(role="social_worker").exclude(team=users[0].team).order_by("username").first()
    assert outsider is not None
    grant = services.break_glass_open(
        user=outsider,
        actor=Actor.from_user(outsider),
        person=world.child,
        reason_category="safeguarding_emergency",
        reason="Police called out of hours about this child",
    )
    world.grant_ids.append(grant.pk)
    analyst = users[4]
    for kind in ("cin", "903"):
        job = jobs.start(kind=kind, year=current_year(), as_of=None, user=analyst, actor=Actor.from_user(analyst))
        world.job_ids.append(job.id)
    admin = users[7]
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=outsider, name="phone", confirmed=True)
    reset = mfa.device_reset_request(
        actor=Actor.from_user(admin), requested_by=admin, user=outsider, reason="Phone lost, ticket 1234"
    )
    world.reset_ids.append(reset.pk)


def _later_objects(world: World, users: list[User]) -> None:
    """The front door's contacts and notifications, family groups, duplicate pairs and merges, and a
    subject access request about the child with its proposed redactions."""
    from opencsc.casework.models import Contact, WorkerNotification
    from opencsc.people.matching.models import DuplicatePair, PersonMerge
    from opencsc.people.models import FamilyMembership
    from opencsc.rights import services as rights
    from opencsc.rights.bundle import review
    from opencsc.rights.models import BundleRedaction

    ig = next(u for u in users if u.role == "ig_officer")
    actor = Actor.from_user(ig)
    request, _ = rights.request_receive(
        actor=actor,
        actor_user=ig,
        data={
            "kind": "subject_access",
            "requester_name": f"{world.child.first_name} {world.child.last_name}",
            "subject_name": f"{world.child.first_name} {world.child.last_name}",
            "details": "Everything you hold about me.",
            "reply_by": "email",
            "reply_email": "requester@example.org",
            "identity_needed": False,
        },
    )
    rights.subject_link(actor=actor, request=request, person_id=world.child.pk)
    review.bundle_compile(actor=actor, request=request)

    def first(model: Any, **filters: Any) -> list[int]:
        return list(model._default_manager.filter(**filters).order_by("pk").values_list("pk", flat=True)[:1])

    # A carried-out disposal batch (made directly: the walk's people stay), so its page and its
    # certificate are walked; it names the child by id only.
    from opencsc.rights.disposal.models import BatchStatus, DisposalBatch, DisposalItem, ItemOutcome

    batch = DisposalBatch.objects.create(
        reference="DB-WALK-0001",
        status=BatchStatus.CARRIED_OUT,
        due_as_of=dt.date(2026, 1, 5),
        prepared_by=ig,
        carried_out_by=ig,
        carried_out_at=timezone.now(),
    )
    DisposalItem.objects.create(
        batch=batch,
        person_id=world.child.pk,
        rule="child-in-need",
        rule_name="Child in need record",
        trigger_date=dt.date(2014, 1, 1),
        due_on=dt.date(2017, 1, 1),
        outcome=ItemOutcome.REFUSED,
        refused_reason="Under legal hold",
    )

    _help_objects(world)
    memberships = FamilyMembership.objects.filter(person=world.child).order_by("pk")
    world.more = {
        "contact_id": first(Contact),
        "notification_id": first(WorkerNotification),
        "pair_id": first(DuplicatePair),
        "merge_id": first(PersonMerge),
        "membership_id": list(memberships.values_list("pk", flat=True)[:1]),
        "family_id": list(memberships.values_list("family_id", flat=True)[:1]),
        "request_id": [request.pk],
        "redaction_id": first(BundleRedaction, request=request),
        "batch_id": [batch.pk],
    }


def _partner_objects(world: World, users: list[User]) -> None:
    """The partner portal (issue 16): a MASH check sent to the partner persona's organisation (the
    police) about a triaged contact, and a share of the walk's child with the police delivered as a
    portal view, so the partner persona's pages show a child."""
    from opencsc.casework.models import Contact
    from opencsc.privacy.models import Purpose
    from opencsc.sharing import portal_services, services
    from opencsc.sharing.models import Agency

    mash = next(u for u in users if u.role == "mash_practitioner")
    police = Agency.objects.get(name="Exampleton Constabulary Public Protection Unit")
    contact = next(
        c
        for c in Contact.objects.filter(triage__isnull=False).exclude(status="decided").order_by("pk")
        if access_can_change(mash, c.child_id)
    )
    sent = portal_services.check_send(
        actor_user=mash,
        actor=Actor.from_user(mash),
        contact=contact,
        agency=police,
        urgency="amber",
        question="Any police information about the household?",
    )
    worker = users[0]
    disclosure = services.disclosure_share(
        actor_user=worker,
        actor=Actor.from_user(worker),
        person=world.child,
        agency=police,
        purpose=Purpose.objects.get(code="support-and-protect"),
        item_keys=[f"people.Person:{world.child.pk}:name"],
        consent="safeguarding",
        consent_detail="Police are part of the safety plan",
    )
    view = portal_services.shared_view_create(
        actor_user=worker,
        actor=Actor.from_user(worker),
        disclosure=disclosure,
        expires_on=dt.date.today() + dt.timedelta(days=2),
    )
    world.more.update({"check_id": [sent.pk], "view_id": [view.pk]})
    # A photograph the police attached to their answer: downloaded by staff and by the partner.
    from PIL import Image

    from opencsc.documents.services import document_attach
    from opencsc.sharing.portal_selectors import caller_for_user

    caller = next(c for c in map(caller_for_user, users) if c is not None and c.agency == police)
    picture = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(picture, format="PNG")
    document = document_attach(
        caller=caller,
        actor=Actor.from_user(caller.user),
        data=picture.getvalue(),
        filename="door.png",
        check_request=sent,
    )
    world.more["document_id"] = [document.pk]
    from opencsc.sharing.models import PartnerReferral

    # The demo's requests for support (the police persona's own, and the health visitor's it may not see).
    world.more["referral_id"] = list(PartnerReferral.objects.order_by("pk").values_list("pk", flat=True)[:2])
    world.disclosure_ids.append(disclosure.pk)


def access_can_change(user: User, person_id: int) -> bool:
    from opencsc.accounts import access

    return access.can_change_person(user, person_id)


def _help_objects(world: World) -> None:
    """The demo's early help families (one led by the partner persona): their casework pages and every
    help step page about their episode, assessment, plan and meetings, walked as every role."""
    from opencsc.casework.models import HelpEpisode
    from opencsc.casework.views.steps import STEPS

    # The showcase's four families (the newest: a plan, a partner lead, a step-up, a closure) and two
    # of the generated ones; walking every generated family would add thousands of identical requests.
    episodes = [*HelpEpisode.objects.order_by("-pk")[:4], *HelpEpisode.objects.order_by("pk")[:2]]
    for episode in episodes:
        world.person_ids.append(episode.child_id)
        for slug, spec in STEPS.items():
            if spec.model is None or not slug.startswith(("help-", "network-", "service-")):
                continue
            for pk in spec.model._default_manager.filter(child_id=episode.child_id).values_list("pk", flat=True)[:1]:
                world.more_steps.append((episode.child_id, slug, pk))
    world.person_ids = sorted(set(world.person_ids))


def _insight_objects(world: World) -> None:
    """A goal with a rating on the child's record; then compute the indicators on the seeded borough
    and pick, for a few of them, the month with the most children behind it (so the children's page
    lists people)."""
    from opencsc.insight import services
    from opencsc.insight.models import Snapshot

    worker = User.objects.get(username=PERSONAS[0][0])
    goal = services.goal_add(
        actor_user=worker,
        actor=Actor.from_user(worker),
        child=world.child,
        plan_type="cin",
        agreed_on=dt.date(2025, 5, 1),
        goal="Goes to school every day",
    )
    services.goal_rate(
        actor_user=worker,
        actor=Actor.from_user(worker),
        goal=goal,
        rated_on=dt.date(2025, 6, 1),
        occasion="visit",
        rater="child",
        score=4,
        words="Mornings are hard",
    )
    world.goal_ids.append(goal.pk)
    run = services.indicators_compute(actor=Actor.system("url_walk"), months=24)
    for key in ("caseloads", "cp-rate", "re-referrals", "assessments-in-45-working-days"):
        row = (
            Snapshot.objects.filter(run=run, indicator=key, level="borough")
            .order_by("-denominator", "-numerator", "-month")
            .first()
        )
        if row is not None:
            world.insight.append((key, f"{row.month:%Y-%m}"))


# --- discovering and filling the URL patterns ------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # namespace:name
    pattern: str
    params: tuple[str, ...]


def _routes(patterns: list[Any] | None = None, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace or namespace
            yield from _routes(entry.url_patterns, prefix + str(entry.pattern), ns or "")
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else str(entry.name)
            yield Route(name, prefix + str(entry.pattern), tuple(entry.pattern.regex.groupindex))


def _values_for(route: Route, world: World, settings: Any) -> list[dict[str, Any]]:
    """Every set of URL parameters the walk tries for a route: real objects of the seeded borough."""
    from opencsc.casework.views.steps import STEPS
    from opencsc.privacy.forms import KINDS
    from opencsc.sharing.models import Agency, SharingAgreement

    child = world.child.pk
    special: dict[str, list[dict[str, Any]]] = {
        "people:add_part": [{"person_id": child, "kind": slug} for slug in PART_KINDS],
        "people:remove_part": [{"person_id": child, "kind": s, "part_id": pk} for s, pk in world.parts],
        "casework:step": [{"person_id": child, "slug": s} for s, spec in STEPS.items() if spec.model is None],
        "casework:step_on": [{"person_id": child, "slug": s, "obj_id": pk} for s, pk in world.step_objects]
        + [{"person_id": person, "slug": s, "obj_id": pk} for person, s, pk in world.more_steps],
        "privacy:register_add": [{"kind": k} for k in KINDS],
        "privacy:register_edit": [
            {"kind": k, "pk": pk}
            for k, kind in KINDS.items()
            for pk in kind.model.objects.values_list("pk", flat=True)[:1]
        ],
        "sharing:request_reply": [{"person_id": child, "request_id": pk} for pk in world.request_ids],
        "sharing:request_decide": [{"request_id": pk} for pk in world.request_ids],
        "accounts:device_reset_request": [{"user_id": world.users[0].pk}],
        "insight:indicator": [{"key": key} for key, _ in world.insight],
        "insight:children": [{"key": key, "month": month} for key, month in world.insight],
        "insight:rating_new": [{"person_id": child, "goal_id": pk} for pk in world.goal_ids],
    }
    if route.name in special:
        return special[route.name]
    generic: dict[str, list[Any]] = {
        "person_id": world.person_ids,
        "disclosure_id": world.disclosure_ids,
        "token": world.pack_tokens,
        "agency_id": list(Agency.objects.values_list("pk", flat=True)[:1]),
        "agreement_id": list(SharingAgreement.objects.values_list("pk", flat=True)[:1]),
        "grant_id": world.grant_ids,
        "job_id": world.job_ids,
        **world.more,
    }
    unknown = [p for p in route.params if p not in generic]
    assert not unknown, (
        f"{route.name} ({route.pattern}) takes {unknown}: teach _values_for in {__file__} where to find a seeded "
        "value, so the page is walked (or list it in NOT_WALKED with why it shows nobody's data)"
    )
    choices = [generic[p] for p in route.params]
    return [dict(zip(route.params, combo, strict=True)) for combo in itertools.product(*choices)]


def _extra_queries(route: Route, world: World) -> list[str]:
    """Query strings that make a page show people: searches by each kind of criterion."""
    if route.name != "people:search":
        return [""]
    child = world.child
    queries = ["", f"?name={child.last_name}"]
    if child.la_child_id:
        queries.append(f"?la_child_id={child.la_child_id}")
    if child.date_of_birth:
        d = child.date_of_birth
        queries.append(f"?date_of_birth_0={d.day}&date_of_birth_1={d.month}&date_of_birth_2={d.year}")
    return queries


def _body(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _covered(events: list[AuditEvent]) -> set[int]:
    covered = set()
    for event in events:
        if event.subject_person_id is not None:
            covered.add(int(event.subject_person_id))
        covered.update(int(pk) for pk in (event.detail or {}).get("person_ids", []))
    return covered


def test_every_page_that_shows_a_person_writes_their_audit_event(settings, tmp_path, client_for, capsys):
    world = _seed(settings, tmp_path)
    routes = list(_routes())
    assert len(routes) > 40  # the resolver was walked, not an empty list
    reads = audited = requests = 0
    failures: list[str] = []
    pages_with_people: set[str] = set()
    blank_choices: set[str] = set()
    clients = {user.username: client_for(user) for user in world.users}
    for route in routes:
        if route.name in NOT_WALKED:
            continue
        for kwargs in _values_for(route, world, settings):
            path = "/" + route.pattern
            for name, value in kwargs.items():
                path = path.replace(f"<int:{name}>", str(value)).replace(f"<slug:{name}>", str(value))
                path = path.replace(f"<str:{name}>", str(value)).replace(f"<{name}>", str(value))
            for query in _extra_queries(route, world):
                for username, client in clients.items():
                    before = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
                    response = client.get(path + query)
                    requests += 1
                    assert response.status_code < 500, f"{username} GET {path}{query}: {response.status_code}"
                    body = _body(response)
                    if ">---------<" in body:  # Django's empty choice: a list must say "Select"
                        blank_choices.add(f"{path}{query} ({route.name})")
                    for term in query.lstrip("?").split("&"):  # the user's own search, echoed in its box
                        if "=" in term:
                            body = body.replace(f'value="{term.split("=", 1)[1]}"', "")
                    shown = {pk for pk, marks in world.marks.items() if any(m in body for m in marks)}
                    if not shown:
                        continue
                    pages_with_people.add(route.name)
                    covered = _covered(list(AuditEvent.objects.filter(seq__gt=before)))
                    reads += len(shown)
                    audited += len(shown & covered)
                    for pk in sorted(shown - covered):
                        mark = next(m for m in world.marks[pk] if m in body)
                        failures.append(f"{username} GET {path}{query} ({route.name}) shows person {pk} ({mark!r})")
    completeness = 100.0 * audited / reads if reads else 100.0
    with capsys.disabled():
        print(
            f"\nURL walk: {len(routes)} patterns ({len(NOT_WALKED)} not walked), {requests} requests as "
            f"{len(clients)} roles; {len(pages_with_people)} patterns showed a person; audit completeness "
            f"{audited}/{reads} reads = {completeness:.1f}%"
        )
    assert reads > 50, "the walk showed almost nobody: the seeded borough or the fillers are wrong"
    # The partner persona's portal pages were walked with a child on them (issue 16).
    assert {"partners:check", "partners:view", "partners:referral", "sharing:checks_sent"} <= pages_with_people
    assert not failures, "pages showing a person without an audit event:\n" + "\n".join(failures)
    assert not blank_choices, "lists offering Django's '---------':\n" + "\n".join(sorted(blank_choices))
