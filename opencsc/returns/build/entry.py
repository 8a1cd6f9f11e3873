"""Entry-time validation: the DfE rules run on one child's record, or on a team's children, as they are.

`validate_child_for_returns(person)` builds that one child's CIN census and SSDA903 tables through the
same builders as the returns (so what is checked is exactly what would be sent) and runs the engines'
per-child fast paths (`cin.validate.validate_child`, `ssda903.validate.validate_child`): rules that
compare children with each other, and return-level rules, are left to the full check. It reads a few
rows and runs in tens of milliseconds, so it can run on every page view of the child's casework.

`validate_children_for_returns(ids)` does the same set-based for many children at once (a team's
caseload for the readiness page): one build per return, the child-level rules once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

import polars as pl
from django.utils import timezone

from opencsc.casework.models import CareEpisode, CareLeaverContact, ReferralEpisode
from opencsc.people.models import Person
from opencsc.returns.build.cin import collect_cin
from opencsc.returns.build.common import current_year, la_ons_code
from opencsc.returns.build.ssda903 import collect_903
from opencsc.returns.findings import Finding, Severity
from opencsc.returns.postcode_directory import postcode_lookup, postcodes_in
from opencsc.returns.providers import provider_register


def validate_child_for_returns(person: Person | int, year: str | None = None) -> list[Finding]:
    """The findings on one child's record for the collection year in progress (errors first)."""
    from opencsc.returns.cin.validate import validate_child as cin_child
    from opencsc.returns.ssda903.validate import validate_child as ssda_child

    pk = person if isinstance(person, int) else person.pk
    year = year or current_year()
    findings: list[Finding] = []
    # Two cheap existence checks spare most children the return they are not in.
    if ReferralEpisode.objects.filter(child_id=pk).exists():
        cin = collect_cin(year, child_ids=[pk])
        if len(cin.tables):
            findings += cin_child(cin.tables, year)
    if CareEpisode.objects.filter(child_id=pk).exists() or CareLeaverContact.objects.filter(child_id=pk).exists():
        ssda = collect_903(year, child_ids=[pk])
        providers = provider_register(_urns(ssda.tables)) if ssda.person_ids else None
        postcodes = postcode_lookup(postcodes_in(ssda.tables, providers=providers)) if ssda.person_ids else None
        for code in ssda.person_ids:
            findings += ssda_child(
                ssda.tables,
                code,
                year,
                la_code=la_ons_code(),
                providers=providers,
                postcodes=postcodes,
                as_of=timezone.localdate(),
            )
    return sorted(findings, key=lambda f: (f.severity != Severity.ERROR, f.rule))


def validate_each_child_for_returns(person_ids: Iterable[int], year: str | None = None) -> dict[int, list[Finding]]:
    """`validate_child_for_returns` of each of many children, with the same findings (rows numbered
    within the child's own return, as when built alone), but each return built once for them all and
    cut into one return per child: `refresh_digests` stores a few hundred children's findings at a
    time. Children with no finding are left out."""
    from opencsc.returns.cin.validate import validate_child as cin_child

    ids = list(person_ids)
    year = year or current_year()
    found: dict[int, list[Finding]] = {}
    # The same existence tests as for one child: a child is built into the return only if it has them.
    in_cin = set(ReferralEpisode.objects.filter(child_id__in=ids).values_list("child_id", flat=True))
    in_903 = set(CareEpisode.objects.filter(child_id__in=ids).values_list("child_id", flat=True)) | set(
        CareLeaverContact.objects.filter(child_id__in=ids).values_list("child_id", flat=True)
    )
    if in_cin:
        cin = collect_cin(year, child_ids=sorted(in_cin))
        codes = cin.tables.column("ChildIdentifiers", "LAchildID")
        for index, code in enumerate(codes):
            one = cin.tables.child(index)
            found.setdefault(cin.person_ids[code], []).extend(cin_child(one, year))
    if in_903:
        ssda = collect_903(year, child_ids=sorted(in_903))
        if ssda.person_ids:
            # The child-level rules run once over the return of them all (each rule looks only at one
            # child's rows); each finding's row is then numbered within its child's own rows, as in
            # the return built for that child alone.
            all_903 = _child_level_903(ssda.tables, year)
            own_row = {
                name: frame.select(pl.int_range(pl.len()).over("CHILD")).to_series().to_list()
                for name, frame in ssda.tables.items()
                if "CHILD" in frame.columns
            }
            for finding in all_903:
                pk = ssda.person_ids.get(finding.child_id or "")
                if pk is None:
                    continue
                if finding.row is not None and finding.table in own_row:
                    finding = replace(finding, row=own_row[finding.table][finding.row])
                found.setdefault(pk, []).append(finding)
    return {
        pk: sorted(findings, key=lambda f: (f.severity != Severity.ERROR, f.rule))
        for pk, findings in found.items()
        if findings
    }


def _child_level_903(tables: Mapping[str, pl.DataFrame], year: str) -> list[Finding]:
    """The 903 child-level rules over a built return (each rule looks at one child's rows only)."""
    from opencsc.returns.ssda903.rules import rules_for_year
    from opencsc.returns.ssda903.validate import validate_903

    child_rules = tuple(r.code for r in rules_for_year(year) if r.scope == "child")
    providers = provider_register(_urns(tables))
    postcodes = postcode_lookup(postcodes_in(tables, providers=providers))
    return validate_903(
        tables,
        year,
        la_code=la_ons_code(),
        providers=providers,
        postcodes=postcodes,
        only=child_rules,
        as_of=timezone.localdate(),
    )


def _urns(tables: Mapping[str, pl.DataFrame]) -> list[str]:
    """The Ofsted URNs a built 903 return names (so only those providers are read from the register)."""
    episodes = tables.get("Episodes")
    return [] if episodes is None else episodes.get_column("URN").drop_nulls().unique().to_list()


@dataclass
class ChildReadiness:
    person_id: int
    child_id: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == Severity.ERROR)

    @property
    def queries(self) -> int:
        return len(self.findings) - self.errors


def validate_children_for_returns(person_ids: Iterable[int], year: str | None = None) -> list[ChildReadiness]:
    """Child-level findings for many children, set-based: the children with at least one finding."""
    from opencsc.returns.cin.validate import validate_child as cin_child

    ids = list(person_ids)
    year = year or current_year()
    by_code: dict[str, ChildReadiness] = {}
    cin = collect_cin(year, child_ids=ids)
    ssda = collect_903(year, child_ids=ids)
    findings: list[Finding] = []
    if len(cin.tables):
        findings += cin_child(cin.tables, year)
    if ssda.person_ids:
        findings += _child_level_903(ssda.tables, year)
    codes = {**cin.person_ids, **ssda.person_ids}
    for finding in findings:
        if finding.child_id is None or finding.child_id not in codes:
            continue
        entry = by_code.setdefault(finding.child_id, ChildReadiness(codes[finding.child_id], finding.child_id))
        entry.findings.append(finding)
    return sorted(by_code.values(), key=lambda c: (-c.errors, -c.queries, c.child_id))
