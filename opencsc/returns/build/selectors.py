"""Reads for the returns pages: who may use them, one child's findings, a team's readiness."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from opencsc.accounts import access
from opencsc.accounts.models import Allocation, Role
from opencsc.people import digests
from opencsc.returns.build.common import current_year
from opencsc.returns.build.entry import ChildReadiness, validate_child_for_returns, validate_children_for_returns
from opencsc.returns.findings import Finding, Severity

# Returns hold pseudonymised child-level data for the whole council: performance analysts build them,
# information governance may inspect them: decided in accounts.access like every access rule.
can_use_returns = access.can_use_returns


def child_return_findings(user: Any, person: Any) -> list[Finding]:
    """The findings on a child's record, for someone who may see the child (else none). A person
    opened through an access-checked selector carries the decision (`person.access`), so it is not
    asked again. The findings are statutory: not for a partner lead practitioner's reduced view."""
    if person is None or not person.is_child or access.sees_help_only(user):
        return []
    decided = getattr(person, "access", None)
    if not (decided.view if decided is not None else access.can_view_person(user, person.pk)):
        return []
    return stored_child_findings(person)


def stored_child_findings(person: Any) -> list[Finding]:
    """The child's findings from the stored digest when the record has not changed since (issue 11,
    "Measured": the rules cost about 30 ms a page), computed and stored otherwise. The findings
    depend on the child's own rows and the day only; the caller has checked who is looking."""
    year = current_year()

    def compute() -> dict[str, Any]:
        rows = [asdict(f) | {"severity": f.severity.value} for f in validate_child_for_returns(person, year)]
        return {"year": year, "findings": rows}

    # A digest is kept for one day (`as_of`), and the collection year is a function of the day.
    value = digests.read_or_compute(person, digests.FINDINGS, compute)
    return [Finding(**(row | {"severity": Severity(row["severity"])})) for row in value["findings"]]


@dataclass
class TeamChild:
    person_id: int
    name: str
    readiness: ChildReadiness


def team_readiness(user: Any, year: str | None = None) -> list[TeamChild]:
    """The children currently allocated to the manager's teams that have findings, worst first."""
    if getattr(user, "role", "") != Role.TEAM_MANAGER:
        return []
    teams = list(user.managed_teams.values_list("id", flat=True)) + ([user.team_id] if user.team_id else [])
    ids = set(Allocation.objects.current().filter(team_id__in=teams).values_list("person_id", flat=True))
    visible = access.visible_persons(user).filter(pk__in=ids, is_child=True)
    names = {p.pk: p.full_name for p in visible.only("pk", "first_name", "last_name")}
    results = validate_children_for_returns(list(names), year or current_year())
    return [TeamChild(r.person_id, names.get(r.person_id, ""), r) for r in results if r.person_id in names]
