"""Build the SSDA903 (children looked after) return for a collection year from the live record.

Who is in it: every child looked after at any point in the year (an episode of care live between
1 April and 31 March), and care leavers with a recorded contact in the year (OC3). The tables are the
DfE's (Header, Episodes, Reviews, UASC, OC2, OC3, AD1, PlacedAdoption, PrevPerm, Missing,
SWEpisodes, and DoLo from 2026-27), all string columns, dates DD/MM/YYYY, as the engine's writer
and validator take them. Everything is as it stood on the reference date (31 March).

Personal data: no names, addresses or NHS numbers are selected. Postcodes appear only where the DfE
asks for them, HOME_POST and PL_POST on Episodes (held on the care episode). The social-worker id is
the worker's Social Work England number when the account carries one (`swe_number`), else the
username when it is such a number (imported workers), else "XX" and the account number.

Set-based: one query per table whatever the number of children; encrypted columns read are the
ethnicity and the health-check kind, SDQ score and reason (OC2), nothing else.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.db.models import Q

from opencsc.casework.models import (
    AdoptionRecord,
    CareEpisode,
    CareLeaverContact,
    DeprivationOfLibertyOrder,
    HealthCheck,
    HealthCheckKind,
    LookedAfterReview,
    MissingEpisode,
    PeriodOfCare,
    PreviousPermanence,
    SocialWorkerEpisode,
    UascStatus,
    YouthConviction,
)
from opencsc.casework.models.looked_after import date_perm
from opencsc.people.models import Person, Relationship, RelationshipKind
from opencsc.returns.build.common import Period, Progress, Ticker, age_on, birthday_in, child_code, group_by
from opencsc.returns.ssda903.csv_io import format_date
from opencsc.returns.ssda903.tables import CORE_TABLES, table_from_rows

DOLO_FROM_YEAR_END = 2027  # deprivation of liberty orders are collected from 2026-27
ADOPTED = ("E11", "E12")
_SWE_NUMBER = re.compile(r"^SW\d{3,}$")

Row = dict[str, str | None]


@dataclass
class Build903:
    """A built 903 return and the record each child came from."""

    tables: dict[str, pl.DataFrame]
    person_ids: dict[str, int]  # CHILD -> person id


def build_903(
    year: str = "2025-26", *, child_ids: Iterable[int] | None = None, progress: Progress | None = None
) -> dict[str, pl.DataFrame]:
    """The SSDA903 tables for `year` (only the children in `child_ids`, when given)."""
    return collect_903(year, child_ids=child_ids, progress=progress).tables


def table_names(year: str) -> tuple[str, ...]:
    return (*CORE_TABLES, "DoLo") if Period.of(year).end.year >= DOLO_FROM_YEAR_END else CORE_TABLES


def sw_id(worker_id: int, username: str, swe_number: str = "") -> str:
    """SW_ID for a worker: the Social Work England number, or XX and the account number."""
    if swe_number:
        return swe_number.upper()
    if _SWE_NUMBER.match(username.upper()):
        return username.upper()
    return f"XX{worker_id:06d}"


def _d(day: dt.date | None) -> str | None:
    return format_date(day)


def collect_903(year: str, *, child_ids: Iterable[int] | None = None, progress: Progress | None = None) -> Build903:
    period = Period.of(year)
    ids = list(child_ids) if child_ids is not None else None

    def scoped(qs: Any, field: str = "child_id") -> Any:
        return qs.filter(**{f"{field}__in": ids}) if ids is not None else qs

    episodes_qs = scoped(
        CareEpisode.objects.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=period.start),
            start_date__lte=period.end,
            child__is_child=True,
        )
    )
    leaver_qs = scoped(
        CareLeaverContact.objects.filter(contact_date__gte=period.start, contact_date__lte=period.end)
    ).filter(child__in=PeriodOfCare.objects.filter(end_date__isnull=False).values("child_id"))
    in_care = episodes_qs.values("child_id")
    leavers = leaver_qs.values("child_id")
    scope = Q(child_id__in=in_care) | Q(child_id__in=leavers)

    episodes = group_by(
        episodes_qs.order_by("child_id", "start_date", "id").values(
            "child_id",
            "period_id",
            "start_date",
            "end_date",
            "reason_new_episode",
            "legal_status",
            "primary_need",
            "placement_type",
            "placement_provider",
            "reason_ceased",
            "reason_place_change",
            "home_postcode",
            "placement_postcode",
            "urn",
        ),
        "child_id",
    )
    persons = list(
        Person.objects.filter(Q(id__in=in_care) | Q(id__in=leavers)).values(
            "id", "la_child_id", "sex", "date_of_birth", "ethnicity", "upn", "upn_unknown_reason"
        )
    )
    periods = group_by(
        PeriodOfCare.objects.filter(child_id__in=in_care)
        .order_by("child_id", "start_date")
        .values("id", "child_id", "start_date", "end_date", "reason_ceased"),
        "child_id",
    )
    reviews = group_by(
        LookedAfterReview.objects.filter(scope, review_date__gte=period.start, review_date__lte=period.end)
        .order_by("child_id", "review_date", "id")
        .values("child_id", "review_date", "participation"),
        "child_id",
    )
    uasc = group_by(
        UascStatus.objects.filter(child_id__in=in_care, start_date__lte=period.end)
        .order_by("child_id", "start_date")
        .values("child_id", "ceased_date"),
        "child_id",
    )
    health = group_by(
        HealthCheck.objects.filter(child_id__in=in_care, check_date__gte=period.start, check_date__lte=period.end)
        .order_by("child_id", "check_date", "id")
        .values("child_id", "kind", "check_date", "sdq_score", "sdq_reason"),
        "child_id",
    )
    convicted = set(
        YouthConviction.objects.filter(
            child_id__in=in_care, convicted_on__gte=period.start, convicted_on__lte=period.end
        ).values_list("child_id", flat=True)
    )
    adoption = group_by(
        AdoptionRecord.objects.filter(child_id__in=in_care, decision_date__lte=period.end)
        .order_by("child_id", "decision_date", "id")
        .values(
            "child_id",
            "period_id",
            "decision_date",
            "match_date",
            "placed_ceased_date",
            "reason_placed_ceased",
            "foster_carer_adoption",
            "number_of_adopters",
            "adopter_sex",
            "adopter_legal_status",
        ),
        "child_id",
    )
    missing = group_by(
        MissingEpisode.objects.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=period.start),
            child_id__in=in_care,
            start_date__lte=period.end,
        )
        .order_by("child_id", "start_date", "id")
        .values("child_id", "kind", "start_date", "end_date"),
        "child_id",
    )
    sw_from = dt.date(period.start.year - 1, 4, 1)
    social_workers = group_by(
        SocialWorkerEpisode.objects.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=sw_from), child_id__in=in_care, start_date__lte=period.end
        )
        .order_by("child_id", "start_date", "id")
        .values("child_id", "worker_id", "worker__username", "start_date", "end_date", "reason"),
        "child_id",
    )
    babies: dict[int, dt.date] = {}
    for mother, born in (
        Relationship.objects.filter(
            person_id__in=in_care,
            kind=RelationshipKind.PARENT,
            relative__date_of_birth__isnull=False,
            relative__date_of_birth__lte=period.end,
        )
        .order_by("relative__date_of_birth")
        .values_list("person_id", "relative__date_of_birth")
    ):
        if born is not None:  # never None (filtered above); the query's type allows it
            babies[mother] = born  # the latest birth on or before the reference date
    left_care = dict(
        PeriodOfCare.objects.filter(child_id__in=leavers, end_date__isnull=False)
        .order_by("end_date")
        .values_list("child_id", "end_date")
    )  # the latest end of care of each care leaver
    leaver_contacts = group_by(
        leaver_qs.order_by("child_id", "contact_date", "id").values(
            "child_id", "contact_date", "in_touch", "activity", "accommodation", "accommodation_suitable"
        ),
        "child_id",
    )

    # PrevPerm: what was recorded for a period of care that began in the year (the latest, if two did).
    previous_permanence = {
        p["child_id"]: p
        for p in PreviousPermanence.objects.filter(
            child_id__in=in_care, period__start_date__gte=period.start, period__start_date__lte=period.end
        )
        .order_by("child_id", "period__start_date")
        .values("child_id", "option", "la_code", "order_day", "order_month", "order_year")
    }
    names = table_names(year)
    dolos = (
        group_by(
            DeprivationOfLibertyOrder.objects.filter(
                Q(end_date__isnull=True) | Q(end_date__gte=period.start),
                child_id__in=in_care,
                start_date__lte=period.end,
            )
            .order_by("child_id", "start_date", "id")
            .values("child_id", "start_date", "end_date"),
            "child_id",
        )
        if "DoLo" in names
        else {}
    )
    rows: dict[str, list[Row]] = {name: [] for name in names}
    person_ids: dict[str, int] = {}
    persons.sort(key=lambda p: child_code(p["la_child_id"], p["id"]))
    ticker = Ticker(progress, len(persons))
    for person in persons:
        pid = person["id"]
        code = child_code(person["la_child_id"], pid)
        person_ids[code] = pid
        dob = person["date_of_birth"]
        ident: Row = {"CHILD": code, "DOB": _d(dob)}
        mine = episodes.get(pid, [])
        rows["Header"].append(_header(person, code, period, bool(mine), babies.get(pid)))
        contacts = leaver_contacts.get(pid)
        if contacts and _care_leaver_birthday(dob, left_care.get(pid), period):
            rows["OC3"].append({**ident, **_oc3(contacts)})
        if mine:
            rows["Episodes"] += [_episode(code, e, period) for e in mine]
            rows["Reviews"] += [
                {**ident, "REVIEW": _d(r["review_date"]), "REVIEW_CODE": r["participation"] or None}
                for r in reviews.get(pid, ())
            ]
            rows["Missing"] += [
                {
                    **ident,
                    "MISSING": m["kind"],
                    "MIS_START": _d(m["start_date"]),
                    "MIS_END": _d(period.cut(m["end_date"])),
                }
                for m in missing.get(pid, ())
            ]
            rows["SWEpisodes"] += [
                {
                    **ident,
                    "SW_ID": sw_id(s["worker_id"], s["worker__username"] or ""),
                    "SW_DECOM": _d(s["start_date"]),
                    "SW_DEC": _d(period.cut(s["end_date"])),
                    "SW_REASON": s["reason"] or None,
                }
                for s in social_workers.get(pid, ())
            ]
            child_periods = periods.get(pid, [])
            if _continuously_looked_after(mine, period):
                rows["OC2"].append(_oc2(ident, dob, period, health.get(pid, []), pid in convicted))
            perm = previous_permanence.get(pid)
            if perm and any(e["reason_new_episode"] == "S" and period.contains(e["start_date"]) for e in mine):
                rows["PrevPerm"].append(_prev_perm(ident, perm))
            if "DoLo" in rows:
                rows["DoLo"] += [
                    {**ident, "DOLO_START": _d(o["start_date"]), "DOLO_END": _d(period.cut(o["end_date"]))}
                    for o in dolos.get(pid, ())
                ]
            for status in uasc.get(pid, ())[-1:]:
                rows["UASC"].append(
                    {"CHILD": code, "SEX": person["sex"], "DOB": _d(dob), "DUC": _d(status["ceased_date"])}
                )
            _adoption_rows(rows, ident, adoption.get(pid, []), child_periods, mine, period)
        ticker.tick()
    tables = {name: table_from_rows(name, rows[name]) for name in names}
    return Build903(tables, person_ids)


def _header(person: Mapping[str, Any], code: str, period: Period, in_care: bool, baby: dt.date | None) -> Row:
    mother = mc_dob = None
    if in_care and person["sex"] == "F":
        mother, mc_dob = ("1", _d(baby)) if baby else ("0", None)
    return {
        "CHILD": code,
        "SEX": person["sex"] or "U",
        "DOB": _d(person["date_of_birth"]),
        "ETHNIC": person["ethnicity"] or None,
        "UPN": person["upn"] or person["upn_unknown_reason"] or None,
        "MOTHER": mother,
        "MC_DOB": mc_dob,
    }


def _episode(code: str, e: Mapping[str, Any], period: Period) -> Row:
    ended = period.cut(e["end_date"])
    return {
        "CHILD": code,
        "DECOM": _d(e["start_date"]),
        "RNE": e["reason_new_episode"],
        "LS": e["legal_status"],
        "CIN": e["primary_need"] or None,
        "PLACE": e["placement_type"],
        "PLACE_PROVIDER": e["placement_provider"] or None,
        "DEC": _d(ended),
        "REC": (e["reason_ceased"] or None) if ended else None,
        "REASON_PLACE_CHANGE": (e["reason_place_change"] or None) if ended else None,
        "HOME_POST": e["home_postcode"] or None,
        "PL_POST": e["placement_postcode"] or None,
        "URN": e["urn"] or None,
    }


def _prev_perm(ident: Row, perm: Mapping[str, Any]) -> Row:
    """A PrevPerm row as recorded. A child who began to be looked after with nothing recorded gets no
    row, so rule 630 asks for it on the child's page and in the return's findings."""
    when = date_perm(perm["option"], perm["order_day"], perm["order_month"], perm["order_year"])
    return {**ident, "PREV_PERM": perm["option"], "LA_PERM": perm["la_code"] or None, "DATE_PERM": when or None}


def _continuously_looked_after(episodes: Sequence[Mapping[str, Any]], period: Period) -> bool:
    """Looked after on 1 April and still on 31 March: twelve months' continuous care (OC2)."""
    first, last = episodes[0], episodes[-1]
    ends = period.cut(last["end_date"])
    ended_in_year = ends is not None and last["reason_ceased"] not in ("", "X1") and ends < period.end
    return first["start_date"] <= period.start and not ended_in_year


def _oc2(ident: Row, dob: dt.date | None, period: Period, checks: Sequence[Mapping[str, Any]], convicted: bool) -> Row:
    kinds = {c["kind"] for c in checks}
    row: Row = dict(ident)
    if dob is not None:
        four, seventeen = birthday_in(dob, 4), birthday_in(dob, 17)
        sdq = [c for c in checks if c["kind"] == HealthCheckKind.SDQ]
        if four <= period.start and seventeen > period.end:
            latest = sdq[-1] if sdq else None
            if latest is not None and latest["sdq_score"]:
                row["SDQ_SCORE"] = latest["sdq_score"]
            elif latest is not None and latest["sdq_reason"]:
                row["SDQ_REASON"] = latest["sdq_reason"]
        elif period.contains(four) or period.contains(seventeen):
            row["SDQ_REASON"] = "SDQ1"
    age = age_on(dob, period.end)
    row["CONVICTED"] = ("1" if convicted else "0") if age is not None and age >= 10 else None
    row["HEALTH_CHECK"] = (
        ("1" if HealthCheckKind.HEALTH_CHECK in kinds else "0") if age is not None and age < 5 else None
    )
    row["IMMUNISATIONS"] = "1" if HealthCheckKind.IMMUNISATIONS in kinds else "0"
    row["TEETH_CHECK"] = "1" if HealthCheckKind.TEETH_CHECK in kinds else "0"
    row["HEALTH_ASSESSMENT"] = "1" if HealthCheckKind.HEALTH_ASSESSMENT in kinds else "0"
    misuse = HealthCheckKind.SUBSTANCE_MISUSE in kinds
    row["SUBSTANCE_MISUSE"] = "1" if misuse else "0"
    if misuse:
        received = HealthCheckKind.INTERVENTION_RECEIVED in kinds
        row["INTERVENTION_RECEIVED"] = "1" if received else "0"
        if not received:
            row["INTERVENTION_OFFERED"] = "1" if HealthCheckKind.INTERVENTION_OFFERED in kinds else "0"
    return row


def _care_leaver_birthday(dob: dt.date | None, left: dt.date | None, period: Period) -> bool:
    """OC3 is for a young person whose 17th to 21st birthday falls in the year after they left care."""
    if dob is None or left is None:
        return False
    return any(period.contains(day) and day > left for day in (birthday_in(dob, age) for age in range(17, 22)))


def _oc3(contacts: Sequence[Mapping[str, Any]]) -> Row:
    latest = contacts[-1]
    if latest["in_touch"] != "YES":
        return {"IN_TOUCH": latest["in_touch"], "ACTIV": "0", "ACCOM": "0"}
    accom = latest["accommodation"] or ""
    if accom:
        accom += "1" if latest["accommodation_suitable"] else "2"
    return {"IN_TOUCH": "YES", "ACTIV": latest["activity"] or None, "ACCOM": accom or None}


def _adoption_rows(
    rows: dict[str, list[Row]],
    ident: Row,
    records: Sequence[Mapping[str, Any]],
    periods: Sequence[Mapping[str, Any]],
    episodes: Sequence[Mapping[str, Any]],
    period: Period,
) -> None:
    if not records:
        return
    record = records[-1]  # the current decision (earlier ones ceased)
    for r in records:
        rows["PlacedAdoption"].append(
            {
                **ident,
                "DATE_PLACED": _d(r["decision_date"]),
                "DATE_PLACED_CEASED": _d(period.cut(r["placed_ceased_date"])),
                "REASON_PLACED_CEASED": (r["reason_placed_ceased"] or None)
                if period.cut(r["placed_ceased_date"])
                else None,
            }
        )
    last = episodes[-1]
    adopted = period.contains(period.cut(last["end_date"])) and last["reason_ceased"] in ADOPTED
    if adopted:
        rows["AD1"].append(
            {
                **ident,
                "DATE_INT": _d(record["decision_date"]),
                "DATE_MATCH": _d(record["match_date"]),
                "FOSTER_CARE": "1" if record["foster_carer_adoption"] else "0",
                "NB_ADOPTR": str(record["number_of_adopters"]) if record["number_of_adopters"] else None,
                "SEX_ADOPTR": record["adopter_sex"] or None,
                "LS_ADOPTR": record["adopter_legal_status"] or None,
            }
        )
