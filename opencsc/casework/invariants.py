"""Checks at entry: the DfE validation rules a worker can break while recording a step, refused
before anything is written with a message that says how to fix it.

Each function raises `ValidationError({field: message})`. Rule numbers are the DfE's (CIN census
rules `NNNN`, SSDA903 rules `9NN`); the return-building engines in `opencsc.returns` run the same
rules over the whole year, these stop the error at source.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable
from typing import NoReturn

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from opencsc.casework.models import (
    Assessment,
    CareEpisode,
    ChildInNeedPlan,
    ChildProtectionPlan,
    DeprivationOfLibertyOrder,
    PeriodOfCare,
    ReferralEpisode,
)
from opencsc.casework.models.looked_after import DOLO_PLACEMENTS
from opencsc.core import codelists
from opencsc.people.models import Person

URN_PATTERN = re.compile(r"^(SC\d{6}|\d{7}|XXXXXXX)$")
DEPRECATED_FACTORS = {"18A", "19A"}
TEMPORARY_PLACEMENTS = {"T0", "T1", "T2", "T3", "T4"}
NO_PROVIDER_PLACEMENTS = TEMPORARY_PLACEMENTS | {"Z1", "Z11", "Z12", "Z13", "Z14"}
NO_URN_PLACEMENTS = NO_PROVIDER_PLACEMENTS | {
    "P1",
    "P3",
    "U1",
    "U2",
    "U3",
    "U4",
    "U5",
    "U6",
    "A3",
    "A4",
    "A5",
    "A6",
}


def refuse(field: str, message: str) -> NoReturn:
    raise ValidationError({field: message})


def not_in_future(field: str, day: dt.date | None, what: str) -> None:
    if day is not None and day > timezone.localdate():
        refuse(field, f"The {what} must be today or in the past")


def not_before(field: str, day: dt.date | None, floor: dt.date | None, message: str) -> None:
    if day is not None and floor is not None and day < floor:
        refuse(field, message)


def child_is_alive_on(child: Person, field: str, day: dt.date) -> None:
    if child.date_of_death and day > child.date_of_death:
        refuse(field, f"The child died on {child.date_of_death:%d %B %Y}: nothing can be recorded after that")


# --- referral episodes -------------------------------------------------------------------------


def check_new_referral(child: Person, referral_date: dt.date, source: str) -> None:
    """8815 one open episode; 8820 no overlap; 8606 not more than 40 weeks before expected birth."""
    not_in_future("referral_date", referral_date, "referral date")
    if source not in codelists.codes("cin_referral_source"):
        refuse("source", "Select the source of the referral from the list")
    if ReferralEpisode.objects.filter(child=child).open().exists():
        refuse(
            "referral_date",
            "This child already has an open referral episode: record this as a contact on "
            "that episode, or close it before opening a new referral",
        )
    last_closed = ReferralEpisode.objects.filter(child=child).order_by("-closure_date").first()
    if last_closed and last_closed.closure_date and referral_date < last_closed.closure_date:
        refuse(
            "referral_date",
            f"The previous episode closed on {last_closed.closure_date:%d %B %Y}: "
            "a new referral must be on or after that date",
        )
    born = child.date_of_birth or child.expected_date_of_birth
    if born and referral_date < born - dt.timedelta(weeks=40):
        refuse("referral_date", "A referral can be at most 40 weeks before the child's (expected) date of birth")
    child_is_alive_on(child, "referral_date", referral_date)


def check_episode_takes_activity(episode: ReferralEpisode, field: str, day: dt.date, what: str) -> None:
    """1103/1104/1105/2889/4015 nothing before the referral; 8565 nothing after closure; 8831/8832
    nothing on an NFA referral."""
    not_in_future(field, day, what)
    if not episode.is_open:
        refuse(
            field,
            f"The referral episode closed on {episode.closure_date:%d %B %Y}: open a new referral "
            "before recording more work",
        )
    if episode.referral_nfa:
        refuse(field, "The referral was recorded as no further action: open a new referral instead")
    not_before(
        field,
        day,
        episode.referral_date,
        f"The {what} cannot be before the referral date ({episode.referral_date:%d %B %Y})",
    )


# --- assessments -------------------------------------------------------------------------------


def check_assessment_start(episode: ReferralEpisode, start: dt.date) -> None:
    check_episode_takes_activity(episode, "start_date", start, "assessment start date")
    if episode.assessments.filter(authorised_date__isnull=True).exists():
        refuse(
            "start_date",
            "This episode already has an assessment in progress (rule 8896): finish and authorise it first",
        )


def check_factors(factors: Iterable[str]) -> list[str]:
    """8869 factor 21 alone; 8898 no duplicates; 8945Q/8950Q 18A/19A retired; 8897Q at least one."""
    chosen = list(factors)
    if not chosen:
        refuse("factors", "Select the factors identified, or 21 'No factors identified'")
    if len(set(chosen)) != len(chosen):
        refuse("factors", "Each factor can be selected only once")
    if retired := DEPRECATED_FACTORS & set(chosen):
        refuse(
            "factors",
            f"{', '.join(sorted(retired))} are no longer used: choose the child-on-child (B) or "
            "adult-on-child (C) code instead",
        )
    if "21" in chosen and len(chosen) > 1:
        refuse(
            "factors",
            "21 'No factors identified' cannot be combined with other factors: remove 21 or the others",
        )
    unknown = set(chosen) - codelists.codes("cin_assessment_factors")
    if unknown:
        refuse("factors", f"{', '.join(sorted(unknown))} is not a DfE assessment factor")
    return chosen


def check_assessment_completion(
    assessment: Assessment, completed: dt.date, factors: list[str], outcome: str, delay_reason: str
) -> None:
    not_in_future("completed_date", completed, "completion date")
    not_before(
        "completed_date",
        completed,
        assessment.start_date,
        "The assessment cannot be completed before it started",
    )
    check_factors(factors)
    if not outcome:
        refuse("outcome", "Select the outcome of the assessment")
    if completed > assessment.due_date and not delay_reason.strip():
        refuse(
            "delay_reason",
            f"The assessment was due by {assessment.due_date:%d %B %Y}: record why it took longer than 45 working days",
        )


def check_authorisation(assessment: Assessment, authorised: dt.date) -> None:
    not_in_future("authorised_date", authorised, "authorisation date")
    not_before(
        "authorised_date",
        authorised,
        assessment.completed_date,
        "The assessment cannot be authorised before the worker completed it",
    )


# --- child protection --------------------------------------------------------------------------


def check_weekday(field: str, day: dt.date, what: str) -> None:
    """8875: conferences are not held at weekends."""
    if day.weekday() >= 5:
        refuse(field, f"The {what} falls on a weekend: check the date")


def check_cp_plan_start(child: Person, episode: ReferralEpisode, start: dt.date) -> None:
    """8935 one open plan; 8940 no overlap; 1105 not before referral."""
    check_episode_takes_activity(episode, "start_date", start, "plan start date")
    if ChildProtectionPlan.objects.filter(child=child, end_date__isnull=True).exists():
        refuse("start_date", "This child already has an open child protection plan: end it, or record a review")
    if ChildProtectionPlan.objects.filter(child=child, end_date__gt=start).exists():
        refuse(
            "start_date",
            "This plan would overlap an earlier child protection plan: it must start on or "
            "after the earlier plan ended",
        )


def check_cp_plan_end(plan: ChildProtectionPlan, end: dt.date) -> None:
    not_in_future("end_date", end, "plan end date")
    if end <= plan.start_date:
        refuse(
            "end_date",
            "A child protection plan cannot end on or before the day it started (rule 8840): check the end date",
        )


def check_review_conference(plan: ChildProtectionPlan, day: dt.date) -> None:
    """8841: a review is after the plan started."""
    not_in_future("conference_date", day, "conference date")
    check_weekday("conference_date", day, "conference date")
    if day <= plan.start_date:
        refuse("conference_date", "A review conference must be after the plan started")
    if plan.end_date:
        refuse("conference_date", "This plan has ended: a review cannot be added to it")


def check_cin_plan_start(child: Person, episode: ReferralEpisode, start: dt.date) -> None:
    """4004 one open; 4014 no overlap; 4015 not before referral; 4001 not alongside a CP plan."""
    check_episode_takes_activity(episode, "start_date", start, "plan start date")
    if ChildInNeedPlan.objects.filter(child=child, end_date__isnull=True).exists():
        refuse("start_date", "This child already has an open child in need plan: review or end it instead")
    if ChildInNeedPlan.objects.filter(child=child, end_date__gt=start).exists():
        refuse(
            "start_date",
            "This plan would overlap an earlier child in need plan: start it on or after that plan ended",
        )
    if ChildProtectionPlan.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gt=start), child=child, start_date__lte=start
    ).exists():
        refuse(
            "start_date",
            "The child is on a child protection plan: a child in need plan can start only "
            "on or after the day the child protection plan ends",
        )


# --- looked after ------------------------------------------------------------------------------


def check_placement(*, placement_type: str, provider: str, urn: str, legal_status: str) -> None:
    """Codes valid this year; provider not for temporary/other placements (rule 178 family); URN format."""
    if legal_status not in codelists.codes("903_legal_status"):
        refuse("legal_status", "Select the legal status from the list")
    if placement_type not in codelists.codes("903_placement_type"):
        refuse("placement_type", "Select a placement type that is valid this year")
    if placement_type in NO_PROVIDER_PLACEMENTS and provider:
        refuse("placement_provider", "Leave the placement provider blank for a temporary or 'other' placement")
    if placement_type not in NO_PROVIDER_PLACEMENTS and not provider:
        refuse("placement_provider", "Select the placement provider")
    if urn and not URN_PATTERN.match(urn.upper()):
        refuse("urn", "Enter the Ofsted URN as SC and 6 digits, 7 digits, or XXXXXXX if not Ofsted-registered")
    if placement_type not in NO_URN_PLACEMENTS and not urn:
        refuse("urn", "Enter the Ofsted URN of this setting (XXXXXXX if inspected by CQC or ISI)")


def check_care_period_start(child: Person, start: dt.date) -> None:
    not_in_future("start_date", start, "date the child became looked after")
    if PeriodOfCare.objects.filter(child=child, end_date__isnull=True).exists():
        refuse("start_date", "This child is already looked after: record a change of placement or legal status")
    if PeriodOfCare.objects.filter(child=child, end_date__gt=start).exists():
        refuse("start_date", "This would overlap an earlier period of care: start on or after it ended")
    if child.date_of_birth and start < child.date_of_birth:
        refuse("start_date", "A child cannot become looked after before they are born")
    child_is_alive_on(child, "start_date", start)


def check_episode_change(
    current: CareEpisode, change_date: dt.date, reason_place_change: str, placement_changed: bool
) -> None:
    """Episodes are contiguous and never start and end on the same day; the reason for a placement
    change is recorded on the ceasing episode, only when the placement changed (rules 226/233)."""
    not_in_future("change_date", change_date, "date of the change")
    if change_date <= current.start_date:
        refuse(
            "change_date",
            f"The current episode began on {current.start_date:%d %B %Y}: a change must be "
            "on a later day (an episode cannot start and end on the same day)",
        )
    if placement_changed and current.placement_type not in TEMPORARY_PLACEMENTS and not reason_place_change:
        refuse("reason_place_change", "Select the reason the placement changed")
    if not placement_changed and reason_place_change:
        refuse(
            "reason_place_change",
            "Leave the reason for placement change blank when the placement did not change",
        )


def check_care_period_end(current: CareEpisode, end: dt.date, reason: str, child: Person) -> None:
    not_in_future("end_date", end, "date the child stopped being looked after")
    if end <= current.start_date:
        refuse("end_date", "The episode cannot end on the day it began or earlier")
    if reason == "X1" or reason not in codelists.codes("903_reason_episode_ceased"):
        refuse(
            "reason_ceased",
            "Select why the child stopped being looked after (X1 is only for a change of episode)",
        )
    if reason == "E2" and child.date_of_death != end:
        refuse("reason_ceased", "Record the child's date of death on their record first: the episode ends on it")


# --- previous permanence and deprivation of liberty orders -------------------------------------


def latest_day(day: int | None, month: int | None, year: int | None) -> dt.date | None:
    """The latest date a partly known date can mean (as the DfE reads DATE_PERM): the month's end
    when the day is not known, 31 December when neither is; None when the year is not known."""
    if year is None:
        return None
    if month is None:
        return dt.date(year, 12, 31)
    return dt.date(year, month, day or calendar.monthrange(year, month)[1])


def check_order_date(field: str, day: int | None, month: int | None, year: int | None) -> None:
    """A date known in part: the day only with the month, the month only with the year, and real."""
    if day is not None and month is None:
        refuse(field, "Enter the month as well as the day, or leave the day blank if only the month is known")
    if month is not None and year is None:
        refuse(field, "Enter the year as well as the month, or leave the month blank if only the year is known")
    if year is not None and not 1900 <= year <= 9999:
        refuse(field, "Enter the year as 4 digits, like 2019")
    if month is not None and not 1 <= month <= 12:
        refuse(field, "The month must be a number from 1 to 12")
    if day is not None and year is not None and month is not None:
        try:
            dt.date(year, month, day)
        except ValueError:
            refuse(field, "The date of the order must be a real date, like 27 3 2019")


def check_previous_permanence(
    period: PeriodOfCare, option: str, la_code: str, day: int | None, month: int | None, year: int | None
) -> None:
    """631 a valid option; 630 the LA and date of an order (the date may be wholly or partly not
    known); 633 a valid LA; 632 the order before the child became looked after; none with Z1."""
    if option not in codelists.codes("903_prev_perm"):
        refuse("option", "Select the previous permanence option from the list (Z1 if there was none)")
    if option == "Z1":
        if la_code or any(v is not None for v in (day, month, year)):
            refuse(
                "la_code" if la_code else "order_date",
                "There was no previous permanence option (Z1): leave the local authority and the date blank, "
                "or choose the option the child had",
            )
        return
    if not la_code:
        refuse(
            "la_code",
            "Enter the local authority that arranged the previous permanence (its DfE number, like 931, "
            "or WAL, SCO, NIR or NUK)",
        )
    if la_code not in codelists.codes("903_la_perm"):
        refuse(
            "la_code",
            f"{la_code} is not a DfE local authority number: enter the three-digit number, like 931, or WAL "
            "(Wales), SCO (Scotland), NIR (Northern Ireland) or NUK (outside the UK)",
        )
    check_order_date("order_date", day, month, year)
    latest = latest_day(day, month, year)
    if latest is not None and latest >= period.start_date:
        refuse(
            "order_date",
            f"The order must be before the child became looked after on {period.start_date:%d %B %Y} "
            "(a date known only in part counts as its latest day): check the date",
        )
    born = period.child.date_of_birth
    if latest is not None and born is not None and latest < born:
        refuse("order_date", f"The order cannot be before the child was born ({born:%d %B %Y}): check the date")


def check_dolo_placements(period: PeriodOfCare, start: dt.date, end: dt.date | None) -> None:
    """709/710: every placement the order overlaps (an episode ending the day it starts, or starting
    the day it ends, counts) is one a child may be deprived of their liberty in."""
    last = end or timezone.localdate()
    for episode in period.episodes.filter(Q(end_date__isnull=True) | Q(end_date__gte=start), start_date__lte=last):
        if episode.placement_type not in DOLO_PLACEMENTS:
            refuse(
                "start_date",
                f"From {episode.start_date:%d %B %Y} the child is placed in {episode.placement_type}: while a "
                "deprivation of liberty order lasts the placement must be K2, Z12 or Z13. Record the change of "
                "placement first, or check the dates (an order ending the day a placement starts overlaps it)",
            )


def check_dolo(period: PeriodOfCare, start: dt.date, end: dt.date | None, exclude: int | None = None) -> None:
    """708 after birth; 702 ends after the day it started; 707 inside the period of care (ended
    with it); 705 no overlap with another order of the child; 709/710 the placements it covers."""
    child = period.child
    not_in_future("start_date", start, "date the order started")
    not_in_future("end_date", end, "date the order ended")
    if child.date_of_birth and start <= child.date_of_birth:
        refuse("start_date", "The order must start after the child's date of birth: check the date")
    if end is not None and end <= start:
        refuse("end_date", "The order must end after the day it started (rule 702): check the end date")
    if start < period.start_date:
        refuse(
            "start_date",
            f"The child became looked after on {period.start_date:%d %B %Y}: an order is recorded from a day "
            "within the period of care",
        )
    if period.end_date is not None:
        if end is None:
            refuse(
                "end_date",
                f"The child stopped being looked after on {period.end_date:%d %B %Y}: enter the date the order ended",
            )
        if end > period.end_date or start > period.end_date:
            refuse(
                "end_date",
                f"The order must end by the day the child stopped being looked after ({period.end_date:%d %B %Y})",
            )
    others = DeprivationOfLibertyOrder.objects.filter(child=child)
    if exclude is not None:  # the order being changed does not clash with itself
        others = others.exclude(pk=exclude)
    clash = (
        others.filter(Q(end_date__isnull=True) | Q(end_date__gt=start))
        .filter(start_date__lt=end if end is not None else dt.date.max)
        .order_by("start_date")
        .first()
    )
    if clash is not None:
        until = f"to {clash.end_date:%d %B %Y}" if clash.end_date else "with no end date"
        refuse(
            "start_date",
            f"This would overlap the order from {clash.start_date:%d %B %Y} {until} (rule 705): an order starts "
            "on or after the previous one ended; record the end of that order first",
        )
    check_dolo_placements(period, start, end)


def check_placement_under_dolo(period: PeriodOfCare, change_date: dt.date, placement_type: str) -> None:
    """709/710 from the other side: a new placement starting while an order lasts (or the day it ends)."""
    current = period.dolos.filter(Q(end_date__isnull=True) | Q(end_date__gte=change_date)).first()
    if current is not None and placement_type not in DOLO_PLACEMENTS:
        refuse(
            "placement_type",
            f"The child has a deprivation of liberty order from {current.start_date:%d %B %Y}: while it lasts "
            "the placement must be K2, Z12 or Z13. If the order has ended, record its end date first "
            "(the day before this change)",
        )


def check_no_dolo_after(period: PeriodOfCare, end: dt.date) -> None:
    """707: the child leaves care with every order ended, none after the day care ends."""
    current = period.dolos.filter(Q(end_date__isnull=True) | Q(end_date__gt=end)).first()
    if current is not None:
        refuse(
            "end_date",
            f"The deprivation of liberty order from {current.start_date:%d %B %Y} has not ended by this date: "
            "record the date it ended first (on or before the day the child stops being looked after)",
        )
