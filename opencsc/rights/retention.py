"""When each child's record is due for disposal, from the retention rules of the processing register
(privacy app): every rule that applies gives a date, and the latest (the longest) wins. Legal holds
stop disposal. This module only computes; `manage.py apply_retention --dry-run` lists the result.

Which rule applies (register codes):
* `looked-after`: the child was ever looked after (a period of care): the 75th birthday, or 15
  years after death when the child died before 18, whichever is earlier.
* `care-leaver`: after-care contact was recorded: the 75th birthday.
* `adoption`: an adoption order was made: 100 years from the order.
* `child-protection`: the child was ever on a child protection plan: 35 years from the last closure.
* `child-in-need`: any referral episode or contact: the register's years after the later of the
  18th birthday and the last activity on the record (configurable in the register, like every rule).
A record with a referral episode still open is never due.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db.models import Max
from django.utils import timezone

from opencsc.casework.models import (
    AdoptionRecord,
    CareLeaverContact,
    CaseNote,
    ChildProtectionPlan,
    Contact,
    PeriodOfCare,
    ReferralEpisode,
    StatusChange,
)
from opencsc.people.models import Person
from opencsc.privacy.models import RetentionRule
from opencsc.rights.models import LegalHold


@dataclass(frozen=True)
class Due:
    person_id: int
    la_child_id: str
    rule: str  # the register code of the rule that made it due
    rule_name: str
    trigger_date: dt.date
    due_on: dt.date
    held_by: str = ""  # the legal hold that stops disposal, and who set it


def _max_by_child(model: type, field: str, **filters: object) -> dict[int, dt.date]:
    rows = model._default_manager.filter(**filters).values("child_id").annotate(last=Max(field))  # type: ignore[attr-defined]
    return {r["child_id"]: r["last"] for r in rows if r["last"] is not None}


def _ids(model: type, **filters: object) -> set[int]:
    return set(model._default_manager.filter(**filters).values_list("child_id", flat=True))  # type: ignore[attr-defined]


def _years(rules: dict[str, RetentionRule], code: str, start: dt.date) -> dt.date | None:
    rule = rules.get(code)
    return start + relativedelta(years=rule.years) if rule else None


def evaluate(*, today: dt.date | None = None) -> Iterator[Due]:
    """Every child record whose latest applicable retention date has passed (held ones included,
    with the hold named), in person id order."""
    today = today or timezone.localdate()
    rules = {r.code: r for r in RetentionRule.objects.all()}
    open_cases = _ids(ReferralEpisode, closure_date__isnull=True)
    cared_for = _ids(PeriodOfCare)
    leavers = _ids(CareLeaverContact)
    orders = _max_by_child(AdoptionRecord, "adoption_order_date")
    protected = _ids(ChildProtectionPlan)
    closures = _max_by_child(ReferralEpisode, "closure_date")
    activity: dict[int, dt.date] = {}
    for source in (
        _max_by_child(StatusChange, "effective_date"),
        _max_by_child(CaseNote, "note_date"),
        _max_by_child(Contact, "contact_date"),
        closures,
    ):
        for pk, day in source.items():
            activity[pk] = max(day, activity.get(pk, day))
    holds = list(LegalHold.objects.active().select_related("set_by"))
    everything = next((h for h in holds if h.person_id is None), None)
    held = {h.person_id: h for h in holds if h.person_id is not None}

    children = Person.objects.filter(pk__in=activity.keys()).exclude(pk__in=open_cases).order_by("pk")
    for person in children.only("pk", "la_child_id", "date_of_birth", "date_of_death").iterator():
        candidates: list[tuple[dt.date, str, dt.date]] = []  # (due, rule code, trigger date)
        born, died = person.date_of_birth, person.date_of_death
        if person.pk in cared_for and born:
            due = _years(rules, "looked-after", born)
            if due and died and died < born + relativedelta(years=18):
                due = min(due, died + relativedelta(years=15))
            if due:
                candidates.append((due, "looked-after", born))
        if person.pk in leavers and born and (due := _years(rules, "care-leaver", born)):
            candidates.append((due, "care-leaver", born))
        if person.pk in orders and (due := _years(rules, "adoption", orders[person.pk])):
            candidates.append((due, "adoption", orders[person.pk]))
        cp_closed = closures.get(person.pk) if person.pk in protected else None
        if cp_closed and (due := _years(rules, "child-protection", cp_closed)):
            candidates.append((due, "child-protection", cp_closed))
        start = max(activity[person.pk], born + relativedelta(years=18)) if born else activity[person.pk]
        if due := _years(rules, "child-in-need", start):
            candidates.append((due, "child-in-need", start))
        if not candidates:
            continue
        due_on, code, trigger = max(candidates)
        if due_on > today:
            continue
        hold = held.get(person.pk) or everything
        held_by = f"{hold.name}, set by {hold.set_by} on {hold.set_at:%d %b %Y}" if hold else ""
        yield Due(person.pk, person.la_child_id or "", code, rules[code].name, trigger, due_on, held_by)
