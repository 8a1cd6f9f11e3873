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
* Partner-agency practitioners: the families they lead as an early help / Family Help lead
  practitioner (a lead-practitioner allocation naming them: the child and the child's family, as
  for a worker), and, when their team is a multi-agency child protection team, that team's caseload.
  Nothing else. They change no record except the family help work of a child they lead
  (`can_work_family_help`).
* Performance analysts, information-governance officers and system administrators: no person
  records by default (analysts work on pseudonymised returns; IG gets access through its own,
  audited routes).
* Restricted records are visible only to the users named on their restricted list, whatever the
  allocation, or under break-glass by a role allowed to break the seal.
* Break-glass: a practitioner may open one record outside their scope for a limited time, giving
  a reason; it is audited and alerts information governance (see `accounts.services`).
* Processor staff (Art 28: users whose team is a processor's, `TeamKind.PROCESSOR`): the cases
  contracted to the processor (a `contracted` allocation to its team, for the contract's term, made by
  `privacy.services.processor_case_contract`) and those children's families, through the same scope
  as any team's caseload. Nothing else: no break-glass, and a search never tells them that someone
  outside their contracted cases is known to the service.
* A restriction of processing (Art 18, `ProcessingRestriction`, set by information governance from
  a rights request) takes away every `change`: no casework, record edit or share while it stands.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db.models import BooleanField, Exists, Expression, OuterRef, QuerySet
from django.utils import timezone

from opencsc.accounts.models import (
    Allocation,
    AllocationKind,
    BreakGlassGrant,
    CaseloadReach,
    ProcessingRestriction,
    RestrictedAccess,
    Role,
    TeamKind,
    User,
)
from opencsc.core import request_context
from opencsc.core.categories import DataCategory
from opencsc.people.models import Person

CASEWORK_ROLES = frozenset({Role.SOCIAL_WORKER, Role.MASH_PRACTITIONER, Role.TEAM_MANAGER, Role.CONFERENCE_CHAIR})
CAN_EDIT_ROLES = frozenset({Role.SOCIAL_WORKER, Role.MASH_PRACTITIONER, Role.TEAM_MANAGER})
# Roles whose sight of people comes from allocations (partners: lead-practitioner allocations and a
# multi-agency child protection team's caseload, see `_ScopeSQL.teams`).
SCOPED_ROLES = CASEWORK_ROLES | {Role.PARTNER}
BREAK_GLASS_ROLES = CASEWORK_ROLES
# Breaking the seal of a restricted record needs a manager: a practitioner cannot do it alone.
BREAK_SEAL_ROLES = frozenset({Role.TEAM_MANAGER})


def _is_active_staff(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _team_ids(user: User) -> list[int]:
    """The user's own team and, for a manager, the teams they manage (each once). Read once per
    request: a page checks scope several times (the record, the summary's family, the findings) for
    the same user object, which the authentication middleware loads afresh for every request."""
    request_id = request_context.current()
    cached = getattr(user, "_opencsc_team_ids", None)
    if request_id and cached is not None and cached[0] == request_id:
        return list(cached[1])
    ids = set(user.managed_teams.values_list("id", flat=True)) if user.role == Role.TEAM_MANAGER else set()
    if user.team_id is not None:
        ids.add(user.team_id)
    if request_id:
        user._opencsc_team_ids = (request_id, tuple(sorted(ids)))  # type: ignore[attr-defined]
    return sorted(ids)


class _Scope(Expression):
    """Whether the person row being checked is in `user`'s scope: a boolean SQL condition on that row.

    The rules are in this module's docstring. They are written as correlated EXISTS tests that start
    from the person being checked: a current allocation of the user's or their teams' reaching the
    person (`CaseloadReach`, kept by database triggers, lists each allocation with everyone it
    reaches through relationships either way round and family groups); the restricted list;
    break-glass grants. Checking one record, or the people a search finds, costs an index probe or
    two each, however large the team's caseload is.

    It is SQL written here rather than nested ORM `Exists` querysets because building those cost
    about 13 ms of Python on every request, several times the database's own time. Like a column,
    it knows the alias of the person table it tests (`resolve_expression`) and follows Django when
    the query is relabelled as a subquery (`relabeled_clone`), so `person__in=visible_persons(user)`
    stays correct. `accounts/tests/test_access_scope.py` checks it against the rules written out
    plainly, on SQLite and PostgreSQL.
    """

    conditional = True

    def __init__(self, user: User, *, own: bool = True, grants: bool = True, alias: str | None = None):
        super().__init__(output_field=BooleanField())
        self.user, self.own, self.grants, self.alias = user, own, grants, alias

    def resolve_expression(self, query: Any = None, *args: Any, **kwargs: Any) -> _Scope:
        if self.alias is not None:
            return self  # already bound to its person table; now resolved again inside an outer query
        if query is None or query.model is not Person:
            raise TypeError("the access scope only filters or annotates Person querysets")
        clone = self.copy()
        clone.alias = query.get_initial_alias()
        return clone

    def relabeled_clone(self, change_map: Mapping[str, str]) -> _Scope:
        clone = self.copy()
        clone.alias = change_map.get(self.alias or "", self.alias)
        return clone

    def get_group_by_cols(self) -> list[Any]:
        return []

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        person = compiler.quote_name_unless_alias(self.alias)
        sql = _ScopeSQL(self.user, connection, f"{person}.id", f"{person}.is_restricted")
        terms = []
        if self.own:
            terms.append(sql.own())
        if self.grants:
            terms.append(sql.granted())
        return "(" + " OR ".join(terms or ["1 = 0"]) + ")", sql.params


class _ScopeSQL:
    """Builds the SQL of `_Scope` for one user, one connection and one person row, collecting its
    parameters in order. "Current allocation" is `AllocationQuerySet.current()` in SQL: started on
    or before today, and not ended on or before today."""

    def __init__(self, user: User, connection: Any, person_id: str, person_restricted: str):
        self.user, self.ops = user, connection.ops
        self.person_id, self.person_restricted = person_id, person_restricted
        self.params: list[Any] = []
        self.today = self.ops.adapt_datefield_value(timezone.localdate())

    @cached_property
    def teams(self) -> list[int]:
        """The teams whose caseload is the user's (a manager's managed teams cost a query, so only
        SQL that tests the caseload asks). A partner's team counts only when it is a multi-agency
        child protection team: a school's or a health trust's team is many practitioners, each
        seeing only the families they lead."""
        if self.user.role == Role.CONFERENCE_CHAIR:
            return []
        if self.user.role == Role.PARTNER:
            team = self.user.team
            return [team.pk] if team is not None and team.kind == TeamKind.MULTI_AGENCY_CP else []
        return _team_ids(self.user)

    def family(self) -> str:
        """A current allocation to the user (or, except for chairs, to one of the user's teams)
        reaching this person: theirs, a relative's either way round, or a family-group member's.
        `CaseloadReach` lists each allocation with every person it reaches, so this is one index
        probe however many relatives and family groups the person has."""
        self.params += [self.today, self.today, self.user.pk, *self.teams]
        teams = ", ".join(["%s"] * len(self.teams))
        mine = "s.worker_id = %s" + (f" OR s.team_id IN ({teams})" if self.teams else "")
        return (
            f"EXISTS (SELECT 1 FROM {CaseloadReach._meta.db_table} s WHERE s.person_id = {self.person_id}"
            f" AND s.start_date <= %s AND (s.end_date IS NULL OR s.end_date > %s) AND ({mine}))"
        )

    def named(self) -> str:
        self.params.append(self.user.pk)
        return (
            f"EXISTS (SELECT 1 FROM {RestrictedAccess._meta.db_table} n"
            f" WHERE n.person_id = {self.person_id} AND n.user_id = %s)"
        )

    def own(self) -> str:
        """Unrestricted people in the family scope (casework roles only), and restricted people the
        user is named for."""
        if self.user.role not in SCOPED_ROLES:
            return self.named()
        family = self.family()
        return f"((NOT {self.person_restricted} AND ({family})) OR {self.named()})"

    def granted(self) -> str:
        """An active break-glass grant: `BreakGlassGrantQuerySet.active()` in SQL."""
        self.params += [self.user.pk, self.ops.adapt_datetimefield_value(timezone.now())]
        return (
            f"EXISTS (SELECT 1 FROM {BreakGlassGrant._meta.db_table} g WHERE g.person_id = {self.person_id}"
            " AND g.user_id = %s AND g.expires_at > %s AND g.revoked_at IS NULL)"
        )


def visible_persons(user: Any) -> QuerySet[Person]:
    """Every person the user may see, as a queryset to filter further (search, lists, one record)."""
    if not _is_active_staff(user):
        return Person.objects.none()
    return Person.objects.filter(_Scope(user))


@dataclass(frozen=True)
class PersonAccess:
    """What one user may do with one person's record. `view` covers break-glass reads; `change`
    never does (break-glass is for reading in an emergency, not for changing a record);
    `break_glass` says the record is visible only through an active grant (a banner, and every read
    flagged in the audit trail)."""

    view: bool = False
    change: bool = False
    break_glass: bool = False
    processing_restricted: bool = False


NO_ACCESS = PersonAccess()


def person_access(user: Any, person_id: int) -> PersonAccess:
    """The one-record decision in one query: the own scope and any active grant, evaluated together
    for that row. A missing person and one out of scope both give `NO_ACCESS`. `can_view_person`,
    `can_change_person` and `is_break_glass_view` are this decision read three ways, so a page that
    needs all three asks once."""
    if not _is_active_staff(user):
        return NO_ACCESS
    row = Person.objects.filter(pk=person_id).annotate(**_decision(user)).values_list(*_DECISION).first()
    return NO_ACCESS if row is None else _decided(user, *row)


def person_with_access(user: Any, rows: QuerySet[Person]) -> tuple[Person | None, PersonAccess]:
    """`person_access` and the person's row in the same query: `rows` is the one person
    (`Person.objects.filter(pk=...)`, with the columns the caller reads). The row is returned only
    when the user may see it (`view`); otherwise `(None, NO_ACCESS)`, as for a missing person."""
    if not _is_active_staff(user):
        return None, NO_ACCESS
    person = rows.annotate(**_decision(user)).first()
    if person is None:
        return None, NO_ACCESS
    decided = _decided(user, *(person.__dict__.pop(name) for name in _DECISION))
    return (person, decided) if decided.view else (None, NO_ACCESS)


_DECISION = ("access_own", "access_granted", "access_held")


def _decision(user: Any) -> dict[str, Any]:
    return {
        "access_own": _Scope(user, grants=False),
        "access_granted": _Scope(user, own=False),
        "access_held": Exists(ProcessingRestriction.objects.active().filter(person=OuterRef("pk"))),
    }


def _decided(user: Any, own: Any, granted: Any, held: Any) -> PersonAccess:
    own, granted, held = bool(own), bool(granted), bool(held)
    return PersonAccess(
        view=own or granted,
        change=own and user.role in CAN_EDIT_ROLES and not held,
        break_glass=granted and not own,
        processing_restricted=held,
    )


def can_view_person(user: Any, person_id: int) -> bool:
    return person_access(user, person_id).view


def can_change_person(user: Any, person_id: int) -> bool:
    """Editing needs a casework role that edits, and the record in the user's own scope:
    break-glass is for reading in an emergency, not for changing a record."""
    if not _is_active_staff(user) or user.role not in CAN_EDIT_ROLES:
        return False
    return person_access(user, person_id).change


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
    if ProcessingRestriction.objects.active().filter(person_id=person_id).exists():
        return False
    return Person.objects.filter(_Scope(user, grants=False), pk=person_id).filter(pk__in=chaired).exists()


def can_work_family_help(user: Any, person_id: int) -> bool:
    """Who may record a child's early help / Family Help work (assessment, plan, reviews, Team Around
    the Family, family network meetings, closure): anyone who may change the child's record, and a
    partner-agency practitioner who is the child's current lead practitioner. Never under
    break-glass, never while processing is restricted."""
    if not _is_active_staff(user):
        return False
    if user.role != Role.PARTNER:
        return can_change_person(user, person_id)
    decision = person_access(user, person_id)
    if not decision.view or decision.break_glass or decision.processing_restricted:
        return False
    return (
        Allocation.objects.current()
        .filter(person_id=person_id, worker=user, kind=AllocationKind.LEAD_PRACTITIONER)
        .exists()
    )


def can_manage_services(user: Any) -> bool:
    """Keep the services catalogue (family centres, parenting programmes, contact centres, ...):
    team managers, who commission and run them, and system administrators. No person's data."""
    return _is_active_staff(user) and user.role in (Role.TEAM_MANAGER, Role.SYSTEM_ADMIN)


def can_view_services(user: Any) -> bool:
    """Read the services catalogue: council staff (a partner sees the services on the families they lead)."""
    return _is_active_staff(user) and user.role != Role.PARTNER and not is_processor_staff(user)


def sees_help_only(user: Any) -> bool:
    """A partner-agency lead practitioner reaches a child's casework through their help only: the
    reduced view (help episode, plan, reviews, Team Around the Family, meetings, services), never
    the statutory record (assessments, section 47, police information). A MACPT partner member,
    who works the team's child protection cases, is not reduced."""
    if not _is_active_staff(user) or user.role != Role.PARTNER:
        return False
    team = getattr(user, "team", None)
    return team is None or team.kind != TeamKind.MULTI_AGENCY_CP


# What a partner lead practitioner (`sees_help_only`) reads of the person record of the family they
# lead: who they are, how to reach them, who is in the family and which school. Not the special
# categories (ethnicity, health), police information, the NHS number or UPN, money, social media or
# other agencies' information: no sharing agreement gives a school or a health visitor those for
# consent-based help. The council shares more, when it must, through a recorded disclosure.
HELP_LEAD_CATEGORIES: frozenset[DataCategory] = frozenset(
    {
        DataCategory.NAME,
        DataCategory.DATE_OF_BIRTH,
        DataCategory.ADDRESS,
        DataCategory.PHONE,
        DataCategory.CONTACT_DETAILS,
        DataCategory.RELATIONSHIPS,
        DataCategory.SCHOOL,
    }
)


def record_categories(user: Any) -> frozenset[DataCategory] | None:
    """The categories of a person record the user's pages may read (`None`: every category their
    scope allows). A partner lead practitioner reads `HELP_LEAD_CATEGORIES` only, of the child they
    lead and of the family; the other categories' rows are never queried for them."""
    return HELP_LEAD_CATEGORIES if sees_help_only(user) else None


def can_create_person(user: Any) -> bool:
    return _is_active_staff(user) and user.role in CAN_EDIT_ROLES


def is_processor_staff(user: Any) -> bool:
    """A user working for a processor (Art 28), limited to the cases contracted to it."""
    team = getattr(user, "team", None) if _is_active_staff(user) else None
    return team is not None and team.kind == TeamKind.PROCESSOR


def can_break_glass(user: Any, person: Person) -> bool:
    if not _is_active_staff(user) or user.role not in BREAK_GLASS_ROLES or is_processor_staff(user):
        return False
    return not person.is_restricted or user.role in BREAK_SEAL_ROLES


def is_break_glass_view(user: Any, person_id: int) -> bool:
    """True when the user sees this record only because of a break-glass grant (shown as a banner,
    and every read is flagged in the audit trail)."""
    return person_access(user, person_id).break_glass


def can_read_audit(user: Any) -> bool:
    return _is_active_staff(user) and user.role == Role.IG_OFFICER


def can_manage_restricted(user: Any) -> bool:
    return _is_active_staff(user) and user.role in (Role.TEAM_MANAGER, Role.IG_OFFICER)


def can_allocate(user: Any) -> bool:
    return _is_active_staff(user) and user.role == Role.TEAM_MANAGER


def can_review_break_glass(user: Any) -> bool:
    return _is_active_staff(user) and user.role == Role.IG_OFFICER


def can_review_duplicates(user: Any) -> bool:
    """The data-quality role for person records: the duplicate review queue, merging and undoing a
    merge. Information governance: they judge whether two records are one person's with both in
    front of them (a read of both, audited) without holding a caseload, and they already answer for
    the record's accuracy (UK GDPR Art 5(1)(d)). See docs/adr/0019-merging-person-records.md."""
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


def can_manage_sign_in(user: Any) -> bool:
    """Issue authenticator-app enrolment codes and ask for or approve (four eyes) removing a user's
    app: system administrators only. It gives no access to any person's record."""
    return _is_active_staff(user) and user.role == Role.SYSTEM_ADMIN


def can_manage_rights_requests(user: Any) -> bool:
    """Information governance keeps the rights request register (subject access, rectification,
    erasure, restriction, objection), compiles and redacts subject access bundles and releases them.
    It reaches a person's data for this through the rights app's own audited pages, not the record."""
    return _is_active_staff(user) and user.role == Role.IG_OFFICER


def can_view_health_needs(user: Any) -> bool:
    """The health-needs picture for the NHS (suppressed counts, no person): performance analysts, who
    prepare it, and information governance, who release it."""
    return _is_active_staff(user) and user.role in (Role.PERFORMANCE_ANALYST, Role.IG_OFFICER)


def can_release_health_needs(user: Any) -> bool:
    """Releasing the picture to an NHS body is a disclosure under an agreement: information governance."""
    return _is_active_staff(user) and user.role == Role.IG_OFFICER


def is_partner(user: Any) -> bool:
    """A partner-agency practitioner. They reach a person record only as a family's lead
    practitioner (reduced: `record_categories`) or a multi-agency child protection team member
    (`visible_persons`); the partner portal (`sharing.portal_selectors`) scopes what they see to
    their own organisation's checks and shared views, and only while the sharing agreement allows it."""
    return _is_active_staff(user) and user.role == Role.PARTNER


def can_send_partner_checks(user: Any) -> bool:
    """Send MASH checks to partner organisations through the portal and follow them up: the front
    door (MASH practitioners and managers). Each send still needs `can_change_person` on the child."""
    return _is_active_staff(user) and user.role in (Role.MASH_PRACTITIONER, Role.TEAM_MANAGER)


INDICATOR_ROLES = frozenset({Role.TEAM_MANAGER, Role.PERFORMANCE_ANALYST, Role.CONFERENCE_CHAIR})
INDICATOR_CHILDREN_ROLES = frozenset({Role.TEAM_MANAGER, Role.CONFERENCE_CHAIR})


def can_view_indicators(user: Any) -> bool:
    """The performance dashboard (counts, rates, by team and worker; no child named): managers,
    conference chairs and reviewing officers, and performance analysts."""
    return _is_active_staff(user) and user.role in INDICATOR_ROLES


def can_list_indicator_children(user: Any) -> bool:
    """Opening the children behind a figure: managers and chairs, who hold a caseload, and then only
    the children `visible_persons` gives them (each list audited). Analysts see counts only."""
    return _is_active_staff(user) and user.role in INDICATOR_CHILDREN_ROLES
