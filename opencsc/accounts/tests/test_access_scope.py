"""`visible_persons`, `person_access` and `can_change_person` agree with the access rules written out plainly.

The scope is a query tuned for speed (correlated EXISTS tests); this checks it against a reference
that follows the rules in `accounts/access.py`'s docstring word for word, on random small boroughs:
allocations current, ended and not yet started; relationships either way round; family groups;
restricted records with named users; break-glass grants active, expired and revoked. Then it
changes the borough the ways the application and its bulk paths do (relationships re-pointed and
removed, people moving between family groups, groups dissolved, allocations ended in bulk,
re-assigned or deleted, a person deleted) and checks again, so the triggers that keep
`CaseloadReach` are held to the same rules.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from opencsc.accounts import access, reach
from opencsc.accounts.models import Allocation, BreakGlassGrant, RestrictedAccess, Role, TeamKind, User
from opencsc.accounts.tests.factories import TeamFactory, UserFactory
from opencsc.people import models as pm
from opencsc.people.tests.factories import ChildFactory, PersonFactory

pytestmark = pytest.mark.django_db

CASEWORK = {Role.SOCIAL_WORKER, Role.MASH_PRACTITIONER, Role.TEAM_MANAGER, Role.CONFERENCE_CHAIR}
EDITORS = {Role.SOCIAL_WORKER, Role.MASH_PRACTITIONER, Role.TEAM_MANAGER}


def _borough(rng: random.Random) -> list[User]:
    today = timezone.localdate()
    teams = [TeamFactory(name=f"Team {i}", kind=TeamKind.FAMILY_SUPPORT) for i in range(3)]
    teams.append(TeamFactory(name="Multi-agency CP team", kind=TeamKind.MULTI_AGENCY_CP))
    school = TeamFactory(name="A school", kind=TeamKind.PARTNER)
    users = [
        UserFactory(username="sw0", role=Role.SOCIAL_WORKER, team=teams[0]),
        UserFactory(username="sw1", role=Role.SOCIAL_WORKER, team=teams[1]),
        UserFactory(username="tm0", role=Role.TEAM_MANAGER, team=teams[0]),
        UserFactory(username="chair", role=Role.CONFERENCE_CHAIR, team=teams[2]),
        UserFactory(username="mash", role=Role.MASH_PRACTITIONER, team=teams[2]),
        UserFactory(username="ig", role=Role.IG_OFFICER, team=teams[2]),
        UserFactory(username="gone", role=Role.SOCIAL_WORKER, team=teams[0], is_active=False),
        # Partners: a school's lead practitioner (sees whom they lead), and a police member of a
        # multi-agency child protection team (sees the team's cases).
        UserFactory(username="school", role=Role.PARTNER, team=school),
        UserFactory(username="police", role=Role.PARTNER, team=teams[3]),
    ]
    Allocation.objects.create(person=ChildFactory(), team=school, worker=users[7], start_date=today)
    users[2].managed_teams.add(teams[0], teams[1])
    people = [ChildFactory() if rng.random() < 0.6 else PersonFactory() for _ in range(28)]
    for person in rng.sample(people, 14):
        start = today - dt.timedelta(days=rng.randrange(1, 300))
        end = rng.choice([None, None, today, today - dt.timedelta(days=1), today + dt.timedelta(days=30)])
        if end is not None and end < start:
            end = start
        if rng.random() < 0.1:
            start = today + dt.timedelta(days=5)  # not started yet
            end = None
        Allocation.objects.create(
            person=person,
            team=rng.choice(teams),
            start_date=start,
            end_date=end,
            worker=rng.choice([None, *users[:5], users[7]]),
        )
    for _ in range(18):
        a, b = rng.sample(people, 2)
        pm.Relationship.objects.get_or_create(person=a, relative=b, kind=rng.choice(list(pm.RelationshipKind)))
    for i in range(5):
        family = pm.FamilyGroup.objects.create(name=f"Family {i}")
        for person in rng.sample(people, rng.randrange(1, 5)):
            pm.FamilyMembership.objects.get_or_create(person=person, family=family)
    for person in rng.sample(people, 5):
        pm.Person.objects.filter(pk=person.pk).update(is_restricted=True)
        for user in rng.sample(users, rng.randrange(0, 3)):
            RestrictedAccess.objects.get_or_create(person=person, user=user, granted_by=users[2])
    now = timezone.now()
    for person in rng.sample(people, 6):
        BreakGlassGrant.objects.create(
            user=rng.choice(users),
            person=person,
            reason_category="safeguarding_emergency",
            reason="Test",
            expires_at=now + dt.timedelta(hours=rng.choice([-1, 2])),
            revoked_at=now if rng.random() < 0.2 else None,
        )
    return users


def _churn(rng: random.Random) -> None:
    """Change the inputs of the family scope through every kind of write."""
    today = timezone.localdate()
    people = list(pm.Person.objects.order_by("pk"))
    relationships = list(pm.Relationship.objects.order_by("pk"))
    for rel in rng.sample(relationships, min(4, len(relationships))):
        rel.delete()
    remaining = list(pm.Relationship.objects.order_by("pk"))
    for rel in rng.sample(remaining, min(3, len(remaining))):
        other = rng.choice([p for p in people if p.pk not in (rel.person_id, rel.relative_id)])
        if not pm.Relationship.objects.filter(person_id=rel.person_id, relative=other, kind=rel.kind).exists():
            rel.relative = other
            rel.save()
    families = list(pm.FamilyGroup.objects.order_by("pk"))
    for membership in pm.FamilyMembership.objects.order_by("pk")[:4]:
        target = rng.choice(families)
        if not pm.FamilyMembership.objects.filter(person_id=membership.person_id, family=target).exists():
            pm.FamilyMembership.objects.filter(pk=membership.pk).update(family=target)  # a bulk path
    pm.FamilyMembership.objects.filter(pk__in=[m.pk for m in pm.FamilyMembership.objects.order_by("-pk")[:2]]).delete()
    families[-1].delete()
    allocations = list(Allocation.objects.order_by("pk"))
    started = [a.pk for a in allocations if a.start_date <= today]
    Allocation.objects.filter(pk__in=started[:3]).update(end_date=today)  # ended in bulk
    moved = allocations[3]
    moved.person = rng.choice(people)
    moved.team = rng.choice(list({a.team for a in allocations}))
    moved.save()
    allocations[4].delete()
    Allocation.objects.bulk_create(
        [Allocation(person=rng.choice(people), team=allocations[5].team, start_date=today - dt.timedelta(days=3))]
    )
    pm.Relationship.objects.bulk_create([pm.Relationship(person=people[0], relative=people[-1], kind="sibling")])
    doomed = people[len(people) // 2]
    BreakGlassGrant.objects.filter(person=doomed).delete()
    doomed.delete()


def _expected_own(user: User) -> set[int]:
    current = list(Allocation.objects.current())  # what "current" means belongs to the model
    teams = {user.team_id} | (
        set(user.managed_teams.values_list("id", flat=True)) if user.role == Role.TEAM_MANAGER else set()
    )
    if user.role == Role.CONFERENCE_CHAIR:
        caseload = {a.person_id for a in current if a.worker_id == user.pk}
    elif user.role == Role.PARTNER:
        macpt = user.team is not None and user.team.kind == TeamKind.MULTI_AGENCY_CP
        caseload = {a.person_id for a in current if a.worker_id == user.pk or (macpt and a.team_id == user.team_id)}
    else:
        caseload = {a.person_id for a in current if a.worker_id == user.pk or a.team_id in teams}
    scope = set(caseload)
    for rel in pm.Relationship.objects.all():
        if rel.person_id in caseload:
            scope.add(rel.relative_id)
        if rel.relative_id in caseload:
            scope.add(rel.person_id)
    families = {m.family_id for m in pm.FamilyMembership.objects.all() if m.person_id in caseload}
    scope |= {m.person_id for m in pm.FamilyMembership.objects.all() if m.family_id in families}
    named = set(RestrictedAccess.objects.filter(user=user).values_list("person_id", flat=True))
    if user.role not in CASEWORK | {Role.PARTNER}:
        return named
    restricted = set(pm.Person.objects.filter(is_restricted=True).values_list("pk", flat=True))
    return (scope - restricted) | named


@pytest.mark.parametrize("churned", [False, True], ids=["built", "churned"])
@pytest.mark.parametrize("seed", range(3))
def test_scope_matches_the_rules(seed, churned):
    rng = random.Random(seed)
    users = _borough(rng)
    if churned:
        _churn(rng)
        users = [User.objects.get(pk=u.pk) for u in users]
    assert reach.discrepancies() == ([], [])
    now = timezone.now()
    for user in users:
        own = _expected_own(user) if user.is_active else set()
        grants = (
            {
                g.person_id
                for g in BreakGlassGrant.objects.filter(user=user)
                if g.expires_at > now and g.revoked_at is None
            }
            if user.is_active
            else set()
        )
        assert set(access.visible_persons(user).values_list("pk", flat=True)) == own | grants, user.username
        for person in pm.Person.objects.all():
            editable = user.is_active and user.role in EDITORS and person.pk in own
            assert access.can_change_person(user, person.pk) == editable, (user.username, person.pk)
            assert access.can_view_person(user, person.pk) == (person.pk in own | grants)
            assert access.person_access(user, person.pk) == access.PersonAccess(
                view=person.pk in own | grants,
                change=editable,
                break_glass=person.pk in grants - own,
            ), (user.username, person.pk)
