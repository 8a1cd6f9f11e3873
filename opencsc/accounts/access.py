"""Who may see and change which person records. The ONE place these decisions are made.

Every selector that reads personal data asks `visible_persons(user)` (a queryset scope) or
`can_view_person(user, person_id)`, which is the same scope filtered to one row, so the object check
and the list check cannot disagree. Rules:

* Social workers, MASH practitioners: people currently allocated to them or to their team, and the
  people in those children's families (relationships and family groups).
* Team managers: the same for their own team and every team they manage.
* Conference chairs / reviewing officers: the children allocated to them, and their families. They
  change no record except to record the conferences and reviews they chair
  (`can_record_conference`).
* Performance analysts, information-governance officers, partner-agency users and system
  administrators: no person records by default (analysts work on pseudonymised returns; IG and
  partners get access through their own, audited routes).
* Restricted records are visible only to the users named on their restricted list, whatever the
  allocation, or under break-glass by a role allowed to break the seal.
* Break-glass: a practitioner may open one record outside their scope for a limited time, giving
  a reason; it is audited and alerts information governance (see `accounts.services`).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from opencsc.accounts.models import Allocation, AllocationKind, BreakGlassGrant, RestrictedAccess, Role, User
from opencsc.people.models import FamilyMembership, Person, Relationship

CASEWORK_ROLES = frozenset({Role.SOCIAL_WORKER, Role.MASH_PRACTITIONER, Role.TEAM_MANAGER, Role.CONFERENCE_CHAIR})
CAN_EDIT_ROLES = frozenset({Role.SOCIAL_WORKER, Role.MASH_PRACTITIONER, Role.TEAM_MANAGER})
BREAK_GLASS_ROLES = CASEWORK_ROLES
# Breaking the seal of a restricted record needs a manager: a practitioner cannot do it alone.
BREAK_SEAL_ROLES = frozenset({Role.TEAM_MANAGER})


def _is_active_staff(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _team_ids(user: User) -> list[int]:
    ids = list(user.managed_teams.values_list("id", flat=True)) if user.role == Role.TEAM_MANAGER else []
    if user.team_id is not None:
        ids.append(user.team_id)
    return ids


def _allocations_q(user: User) -> Q:
    """Which current allocations put a person on the user's caseload."""
    if user.role == Role.CONFERENCE_CHAIR:
        return Q(worker=user)
    return Q(worker=user) | Q(team_id__in=_team_ids(user))


def _on_caseload(mine: Q, person: OuterRef) -> Exists:
    return Exists(Allocation.objects.current().filter(mine, person_id=person))


def _family_scope_q(user: User) -> Q:
    """Caseload plus the people linked to it by a relationship (either way round) or a family group.

    Written as correlated EXISTS tests that start from the person being checked, so that checking
    one record (or the few dozen a search finds) costs a handful of index lookups however large the
    team's caseload is; PostgreSQL still turns them into hashed semi-joins when a query asks for the
    whole scope."""
    mine = _allocations_q(user)
    pk = OuterRef("pk")
    # A family group (the membership checked from the outside) with a member on the caseload.
    family_on_caseload = Exists(
        FamilyMembership.objects.filter(_on_caseload(mine, OuterRef("person_id")), family_id=OuterRef("family_id"))
    )
    return (
        Q(_on_caseload(mine, pk))
        | Q(Exists(Relationship.objects.filter(_on_caseload(mine, OuterRef("person_id")), relative_id=pk)))
        | Q(Exists(Relationship.objects.filter(_on_caseload(mine, OuterRef("relative_id")), person_id=pk)))
        | Q(Exists(FamilyMembership.objects.filter(family_on_caseload, person_id=pk)))
    )


def _own_scope_q(user: User) -> Q:
    """What the user sees with no break-glass grant: unrestricted people in scope, and restricted
    people they are named for."""
    named = Q(pk__in=RestrictedAccess.objects.filter(user=user).values("person_id"))
    if user.role not in CASEWORK_ROLES:
        return named
    return (_family_scope_q(user) & Q(is_restricted=False)) | named


def _grants_q(user: User) -> Q:
    return Q(pk__in=BreakGlassGrant.objects.active().filter(user=user).values("person_id"))


def visible_persons(user: Any) -> QuerySet[Person]:
    """Every person the user may see, as a queryset to filter further (search, lists, one record)."""
    if not _is_active_staff(user):
        return Person.objects.none()
    return Person.objects.filter(_own_scope_q(user) | _grants_q(user))


def _on_own_caseload(user: User, person_id: int) -> bool:
    """Fast path for checking one record: an unrestricted person currently allocated to the user
    (or their teams) is always in `_own_scope_q`, because the caseload is part of the family scope.
    It is one indexed lookup, where compiling the family-scope query costs more Python time than
    the database spends answering it; any other person falls through to the full check."""
    if user.role not in CASEWORK_ROLES:
        return False
    current = Allocation.objects.current().filter(_allocations_q(user), person_id=person_id)
    return current.filter(person__is_restricted=False).exists()


def can_view_person(user: Any, person_id: int) -> bool:
    if not _is_active_staff(user):
        return False
    return _on_own_caseload(user, person_id) or visible_persons(user).filter(pk=person_id).exists()


def can_change_person(user: Any, person_id: int) -> bool:
    """Editing needs a casework role that edits, and the record in the user's own scope:
    break-glass is for reading in an emergency, not for changing a record."""
    if not _is_active_staff(user) or user.role not in CAN_EDIT_ROLES:
        return False
    return _on_own_caseload(user, person_id) or Person.objects.filter(_own_scope_q(user), pk=person_id).exists()


CHAIR_ALLOCATIONS = frozenset({AllocationKind.CONFERENCE_CHAIR, AllocationKind.REVIEWING_OFFICER})


def can_record_conference(user: Any, person_id: int) -> bool:
    """Who may record a child protection conference, a review conference or a looked-after review
    for this child: anyone who may change the child's record, and a conference chair or reviewing
    officer whose own current allocation to the child is as chair or reviewing officer. Never under
    break-glass, and a restricted record only for a chair named on its restricted list."""
    if not _is_active_staff(user):
        return False
    if user.role != Role.CONFERENCE_CHAIR:  # chairs never change records otherwise (not in CAN_EDIT_ROLES)
        return can_change_person(user, person_id)
    chaired = Allocation.objects.current().filter(worker=user, kind__in=CHAIR_ALLOCATIONS).values("person_id")
    return Person.objects.filter(_own_scope_q(user), pk=person_id).filter(pk__in=chaired).exists()


def can_create_person(user: Any) -> bool:
    return _is_active_staff(user) and user.role in CAN_EDIT_ROLES


def can_break_glass(user: Any, person: Person) -> bool:
    if not _is_active_staff(user) or user.role not in BREAK_GLASS_ROLES:
        return False
    return not person.is_restricted or user.role in BREAK_SEAL_ROLES


def is_break_glass_view(user: Any, person_id: int) -> bool:
    """True when the user sees this record only because of a break-glass grant (shown as a banner,
    and every read is flagged in the audit trail)."""
    if not _is_active_staff(user):
        return False
    return (
        Person.objects.filter(_grants_q(user), pk=person_id).exists()
        and not Person.objects.filter(_own_scope_q(user), pk=person_id).exists()
    )


def can_read_audit(user: Any) -> bool:
    return _is_active_staff(user) and user.role == Role.IG_OFFICER


def can_manage_restricted(user: Any) -> bool:
    return _is_active_staff(user) and user.role in (Role.TEAM_MANAGER, Role.IG_OFFICER)


def can_allocate(user: Any) -> bool:
    return _is_active_staff(user) and user.role == Role.TEAM_MANAGER


def can_review_break_glass(user: Any) -> bool:
    return _is_active_staff(user) and user.role == Role.IG_OFFICER


def can_manage_sharing_register(user: Any) -> bool:
    """Information governance keeps the processing register, the agency register and the sharing
    agreements, and reads the Article 30 record."""
    return _is_active_staff(user) and user.role == Role.IG_OFFICER


def can_decide_disclosure_request(user: Any) -> bool:
    """Who may approve or refuse a police, court or other third-party request (never the person who
    logged it: `sharing.services.request_decide` enforces the four eyes)."""
    return _is_active_staff(user) and user.role in (Role.IG_OFFICER, Role.TEAM_MANAGER)


def can_manage_cpis(user: Any) -> bool:
    """CP-IS: build and download the NHS upload, import NHS England's acknowledgements and
    notifications, and read the completeness report for the whole cohort (LA child ids, no names)."""
    return _is_active_staff(user) and user.role == Role.IG_OFFICER


def can_view_cpis_completeness(user: Any) -> bool:
    """CP-IS completeness report: IG for the whole cohort; team managers for the children in their
    own scope (rows are filtered through `visible_persons`), so their teams can trace NHS numbers."""
    return _is_active_staff(user) and user.role in (Role.IG_OFFICER, Role.TEAM_MANAGER)


def can_use_returns(user: Any) -> bool:
    """Build, check and download the statutory returns (CIN census, SSDA903, Annex A): performance
    analysts, who work on pseudonymised returns, and information governance."""
    return _is_active_staff(user) and user.role in (Role.PERFORMANCE_ANALYST, Role.IG_OFFICER)
