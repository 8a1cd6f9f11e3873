"""Looked-after writes: periods of care and their episodes, reviews, missing episodes, health,
adoption, care leavers, social-worker episodes, UASC status, previous permanence and deprivation of
liberty orders."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from opencsc.accounts.models import User
from opencsc.audit.services import Actor
from opencsc.casework import invariants, timescales
from opencsc.casework.models import (
    AdoptionRecord,
    CareEpisode,
    CareLeaverContact,
    ChildInNeedPlan,
    DeprivationOfLibertyOrder,
    HealthCheck,
    HealthCheckKind,
    LookedAfterReview,
    MissingEpisode,
    PeriodOfCare,
    PreviousPermanence,
    ReasonNewEpisode,
    SocialWorkerEpisode,
    Stage,
    TaskKind,
    UascStatus,
    YouthConviction,
)
from opencsc.casework.services._common import (
    audit,
    check_values,
    history,
    record_new,
    require_change,
    require_conference,
    save_new,
    task_open,
    tasks_close,
)
from opencsc.people.models import Person

PLACEMENT_FIELDS = ("placement_type", "placement_provider", "urn", "placement_postcode", "carer")
LONG_TERM_PLACEMENTS = {"U1", "U4"}


def care_period_start(
    *,
    actor_user: Any,
    actor: Actor,
    child: Person,
    start_date: dt.date,
    legal_status: str,
    primary_need: str,
    placement_type: str,
    placement_provider: str = "",
    urn: str = "",
    home_postcode: str = "",
    placement_postcode: str = "",
    carer: str = "",
) -> PeriodOfCare:
    """The child becomes looked after: a period of care with its first episode (RNE S); any open
    child in need plan ends that day; the first review (20 working days) and visit (1 week) tasks
    open. Audits `casework.care_period_start`; status "" -> open."""
    from opencsc.casework.services.referrals import cin_plan_end

    require_change(actor_user, child)
    invariants.check_care_period_start(child, start_date)
    invariants.check_placement(
        placement_type=placement_type, provider=placement_provider, urn=urn, legal_status=legal_status
    )
    with transaction.atomic():
        period = PeriodOfCare(child=child, recorded_by=actor_user, start_date=start_date, primary_need=primary_need)
        save_new(period)
        episode = CareEpisode(
            child=child,
            recorded_by=actor_user,
            period=period,
            start_date=start_date,
            reason_new_episode=ReasonNewEpisode.S,
            legal_status=legal_status,
            primary_need=primary_need,
            placement_type=placement_type,
            placement_provider=placement_provider,
            urn=urn.upper(),
            home_postcode=home_postcode.upper(),
            placement_postcode=placement_postcode.upper(),
            carer=carer,
        )
        save_new(episode)
        for plan in ChildInNeedPlan.objects.filter(child=child, end_date__isnull=True, start_date__lt=start_date):
            cin_plan_end(actor_user=actor_user, actor=actor, plan=plan, end_date=start_date, check_access=False)
        history(
            actor_user=actor_user,
            actor=actor,
            child=child,
            obj=period,
            from_status="",
            to_status=Stage.OPEN,
            effective_date=start_date,
            note=f"Became looked after ({legal_status}, {placement_type})",
        )
        audit(
            actor=actor,
            action="casework.care_period_start",
            child=child,
            obj=period,
            legal_status=legal_status,
        )
        task_open(
            child=child,
            kind=TaskKind.LAC_REVIEW,
            due_date=timescales.lac_review_due(start_date, []),
            obj=period,
        )
        task_open(
            child=child,
            kind=TaskKind.LAC_VISIT,
            obj=period,
            due_date=timescales.lac_visit_due(placement_start=start_date, last_visit=None, period_start=start_date),
        )
    return period


def current_episode(period: PeriodOfCare) -> CareEpisode:
    episode = period.episodes.filter(end_date__isnull=True).first()
    if episode is None:
        invariants.refuse("change_date", "This period of care has ended")
    return episode  # type: ignore[return-value]


def reason_new_episode(current: CareEpisode, new: dict[str, str]) -> str | None:
    """RNE for the change from `current` to `new` values, or None when nothing changed."""
    legal = new["legal_status"] != current.legal_status
    placement = any(new.get(f, "") != getattr(current, f) for f in PLACEMENT_FIELDS)
    carer = new.get("carer", "") != current.carer
    if not (legal or placement):
        return None
    if not placement:
        return ReasonNewEpisode.L
    if legal:
        return ReasonNewEpisode.B if carer else ReasonNewEpisode.U
    return ReasonNewEpisode.P if carer else ReasonNewEpisode.T


def care_episode_change(
    *,
    actor_user: Any,
    actor: Actor,
    period: PeriodOfCare,
    change_date: dt.date,
    values: dict[str, str],
    reason_place_change: str = "",
) -> CareEpisode:
    """Split the period: the current episode ends on `change_date` (REC X1, with the reason for a
    placement change) and a new one starts that same day, its RNE worked out from what changed.
    Audits `casework.care_episode_change`; status of the old episode open -> ended."""
    child = period.child
    require_change(actor_user, child)
    current = current_episode(period)
    values = {
        **{f: getattr(current, f) for f in (*PLACEMENT_FIELDS, "legal_status", "home_postcode")},
        **values,
    }
    values["urn"], values["placement_postcode"] = values["urn"].upper(), values["placement_postcode"].upper()
    rne = reason_new_episode(current, values)
    if rne is None:
        invariants.refuse(
            "legal_status",
            "Nothing has changed: a new episode needs a change of legal status, placement or carer",
        )
    placement_changed = rne != ReasonNewEpisode.L
    invariants.check_episode_change(current, change_date, reason_place_change, placement_changed)
    invariants.check_placement(
        placement_type=values["placement_type"],
        provider=values["placement_provider"],
        urn=values["urn"],
        legal_status=values["legal_status"],
    )
    invariants.check_placement_under_dolo(period, change_date, values["placement_type"])
    with transaction.atomic():
        current.end_date, current.reason_ceased, current.reason_place_change = (
            change_date,
            "X1",
            reason_place_change,
        )
        current.save()
        new = CareEpisode(
            child=child,
            recorded_by=actor_user,
            period=period,
            start_date=change_date,
            reason_new_episode=rne,
            primary_need=current.primary_need,
            **values,
        )
        save_new(new)
        history(
            actor_user=actor_user,
            actor=actor,
            child=child,
            obj=current,
            from_status=Stage.OPEN,
            to_status=Stage.ENDED,
            effective_date=change_date,
            note=f"Care episode changed ({rne})",
        )
        audit(actor=actor, action="casework.care_episode_change", child=child, obj=new, rne=rne)
        if placement_changed:
            tasks_close(child=child, kinds=[TaskKind.LAC_VISIT], actor_user=actor_user)
            task_open(
                child=child,
                kind=TaskKind.LAC_VISIT,
                obj=period,
                due_date=timescales.lac_visit_due(
                    placement_start=change_date, last_visit=None, period_start=period.start_date
                ),
            )
    return new


def care_period_end(
    *,
    actor_user: Any,
    actor: Actor,
    period: PeriodOfCare,
    end_date: dt.date,
    reason_ceased: str,
    reason_place_change: str = "",
) -> PeriodOfCare:
    """The child stops being looked after: the last episode and the period end with the REC code,
    and the looked-after tasks close. Audits `casework.care_period_end`; status open -> ended."""
    child = period.child
    require_change(actor_user, child)
    current = current_episode(period)
    invariants.check_care_period_end(current, end_date, reason_ceased, child)
    invariants.check_no_dolo_after(period, end_date)
    with transaction.atomic():
        current.end_date, current.reason_ceased = end_date, reason_ceased
        current.reason_place_change = reason_place_change
        current.save()
        period.end_date, period.reason_ceased = end_date, reason_ceased
        period.save(update_fields=["end_date", "reason_ceased", "updated_at"])
        history(
            actor_user=actor_user,
            actor=actor,
            child=child,
            obj=period,
            from_status=Stage.OPEN,
            to_status=Stage.ENDED,
            effective_date=end_date,
            note=f"Stopped being looked after ({reason_ceased})",
        )
        audit(actor=actor, action="casework.care_period_end", child=child, obj=period, rec=reason_ceased)
        tasks_close(child=child, kinds=[TaskKind.LAC_REVIEW, TaskKind.LAC_VISIT], actor_user=actor_user)
    return period


def lac_review_record(
    *, actor_user: Any, actor: Actor, period: PeriodOfCare, review_date: dt.date, participation: str
) -> LookedAfterReview:
    """Record a looked-after review and schedule the next (20 wd / 3 months / 6 months). Audits
    `casework.lac_review_record`."""
    child = period.child
    require_conference(actor_user, child)
    invariants.not_in_future("review_date", review_date, "review date")
    invariants.not_before(
        "review_date",
        review_date,
        period.start_date,
        "A review cannot be before the child became looked after",
    )
    if period.end_date and review_date > period.end_date:
        invariants.refuse("review_date", "The review is after the period of care ended")
    held = list(period.reviews.values_list("review_date", flat=True))
    with transaction.atomic():
        review = LookedAfterReview(
            child=child,
            recorded_by=actor_user,
            period=period,
            review_date=review_date,
            due_date=timescales.lac_review_due(period.start_date, held),
            participation=participation,
        )
        save_new(review)
        history(
            actor_user=actor_user,
            actor=actor,
            child=child,
            obj=review,
            from_status="",
            to_status=Stage.COMPLETED,
            effective_date=review_date,
            note="Looked-after review",
        )
        audit(
            actor=actor,
            action="casework.lac_review_record",
            child=child,
            obj=review,
            participation=participation,
        )
        tasks_close(child=child, kinds=[TaskKind.LAC_REVIEW], actor_user=actor_user)
        if period.end_date is None:
            task_open(
                child=child,
                kind=TaskKind.LAC_REVIEW,
                obj=period,
                due_date=timescales.lac_review_due(period.start_date, [*held, review_date]),
            )
    return review


def next_lac_visit_due(child: Person, visit_date: dt.date) -> dt.date:
    period = PeriodOfCare.objects.filter(child=child, end_date__isnull=True).first()
    if period is None:
        return visit_date
    placement_start = (
        period.episodes.exclude(reason_new_episode=ReasonNewEpisode.L)
        .order_by("-start_date")
        .values_list("start_date", flat=True)
        .first()
    ) or period.start_date
    current = period.episodes.filter(end_date__isnull=True).first()
    long_term = bool(current and current.placement_type in LONG_TERM_PLACEMENTS)
    return timescales.lac_visit_due(
        placement_start=placement_start,
        last_visit=visit_date,
        period_start=period.start_date,
        long_term=long_term,
    )


def _simple_record(
    actor_user: Any, actor: Actor, obj: Any, day: dt.date, action: str, note: str, *, field: str = "start_date"
) -> Any:
    """Save a one-row looked-after record with its status row and audit event. `field` names the
    form field that holds `day`, so a date in the future is reported against it."""
    require_change(actor_user, obj.child)
    invariants.not_in_future(field, day, "date")
    with transaction.atomic():
        obj.recorded_by = actor_user
        save_new(obj)
        history(
            actor_user=actor_user,
            actor=actor,
            child=obj.child,
            obj=obj,
            from_status="",
            to_status=Stage.COMPLETED,
            effective_date=day,
            note=note,
        )
        audit(actor=actor, action=action, child=obj.child, obj=obj)
    return obj


def missing_record(
    *,
    actor_user: Any,
    actor: Actor,
    child: Person,
    kind: str,
    start_date: dt.date,
    end_date: dt.date | None = None,
    return_interview_offered: bool = False,
    return_interview_accepted: bool = False,
) -> MissingEpisode:
    """Record a missing (M) or away (A) episode. Audits `casework.missing_record`."""
    invariants.not_before("end_date", end_date, start_date, "The child cannot return before going missing")
    period = PeriodOfCare.objects.filter(child=child, start_date__lte=start_date).order_by("-start_date").first()
    obj = MissingEpisode(
        child=child,
        period=period,
        kind=kind,
        start_date=start_date,
        end_date=end_date,
        return_interview_offered=return_interview_offered,
        return_interview_accepted=return_interview_accepted,
    )
    return _simple_record(actor_user, actor, obj, start_date, "casework.missing_record", "Missing or away")


def health_check_record(
    *,
    actor_user: Any,
    actor: Actor,
    child: Person,
    kind: str,
    check_date: dt.date,
    sdq_score: str = "",
    sdq_reason: str = "",
    note: str = "",
) -> HealthCheck:
    """Record an OC2 health item (encrypted); SDQ scores are 0 to 40.
    Audits `casework.health_check_record`."""
    if sdq_score and (not sdq_score.isdigit() or not 0 <= int(sdq_score) <= 40):
        invariants.refuse("sdq_score", "Enter the SDQ score as a whole number from 0 to 40")
    obj = HealthCheck(
        child=child, kind=kind, check_date=check_date, sdq_score=sdq_score, sdq_reason=sdq_reason, note=note
    )
    note_ = HealthCheckKind(kind).label if kind in HealthCheckKind.values else "Health check"
    return _simple_record(actor_user, actor, obj, check_date, "casework.health_check_record", note_, field="check_date")


def youth_conviction_record(
    *, actor_user: Any, actor: Actor, child: Person, convicted_on: dt.date, summary: str
) -> YouthConviction:
    """Record a conviction or final warning (OC2; criminal-offence data, encrypted).
    Audits `casework.youth_conviction_record`."""
    if not summary.strip():
        invariants.refuse("summary", "Enter what the conviction or final warning was for")
    invariants.child_is_alive_on(child, "convicted_on", convicted_on)
    age = child.age_on(convicted_on)
    if age is not None and age < 10:
        invariants.refuse("convicted_on", "A child under 10 cannot be convicted: check the date")
    obj = YouthConviction(child=child, convicted_on=convicted_on, summary=summary)
    action = "casework.youth_conviction_record"
    return _simple_record(actor_user, actor, obj, convicted_on, action, "Conviction (OC2)", field="convicted_on")


def _check_adoption_milestones(period: PeriodOfCare, decision_date: dt.date, milestones: dict[str, Any]) -> None:
    order = [
        decision_date,
        milestones.get("match_date"),
        milestones.get("placed_date"),
        milestones.get("adoption_order_date"),
    ]
    known = [d for d in order if d]
    if known != sorted(known):
        invariants.refuse("match_date", "Adoption milestones must be in order: decision, match, placement, order")
    invariants.not_before(
        "decision_date",
        decision_date,
        period.start_date,
        "The adoption decision cannot be before the child became looked after",
    )
    for name in ("match_date", "placed_date", "adoption_order_date", "placed_ceased_date"):
        invariants.not_in_future(name, milestones.get(name), "date")
    invariants.not_before(
        "placed_ceased_date",
        milestones.get("placed_ceased_date"),
        decision_date,
        "The date the child was no longer to be placed for adoption cannot be before the decision",
    )
    if bool(milestones.get("placed_ceased_date")) != bool(milestones.get("reason_placed_ceased")):
        invariants.refuse(
            "reason_placed_ceased",
            "Give both the date the child was no longer to be placed for adoption and the reason, or neither",
        )


def adoption_record(
    *, actor_user: Any, actor: Actor, period: PeriodOfCare, decision_date: dt.date, **milestones: Any
) -> AdoptionRecord:
    """Record the decision that the child should be placed for adoption and later milestones, in
    order. Audits `casework.adoption_record`."""
    _check_adoption_milestones(period, decision_date, milestones)
    obj = AdoptionRecord(child=period.child, period=period, decision_date=decision_date, **milestones)
    return _simple_record(
        actor_user, actor, obj, decision_date, "casework.adoption_record", "Adoption milestone", field="decision_date"
    )


def adoption_update(
    *, actor_user: Any, actor: Actor, record: AdoptionRecord, decision_date: dt.date, **milestones: Any
) -> AdoptionRecord:
    """Add or correct the milestones of an existing adoption record (match, placement, order, or
    that the child is no longer to be placed), in order. Writes a status row dated by the latest
    milestone. Audits `casework.adoption_record` with the fields that changed."""
    require_change(actor_user, record.child)
    _check_adoption_milestones(record.period, decision_date, milestones)
    values = {"decision_date": decision_date, **milestones}
    changed = sorted(k for k, v in values.items() if getattr(record, k) != v)
    if not changed:
        invariants.refuse("decision_date", "Nothing has changed: enter the new milestone date")
    latest = max([v for k, v in values.items() if k.endswith("_date") and v] or [decision_date])
    with transaction.atomic():
        for name, value in values.items():
            setattr(record, name, value)
        check_values(record)
        record.save()
        history(
            actor_user=actor_user,
            actor=actor,
            child=record.child,
            obj=record,
            from_status=Stage.OPEN,
            to_status=Stage.OPEN,
            effective_date=latest,
            note="Adoption milestones updated",
        )
        audit(actor=actor, action="casework.adoption_record", child=record.child, obj=record, changed=changed)
    return record


def care_leaver_contact_record(
    *,
    actor_user: Any,
    actor: Actor,
    child: Person,
    contact_date: dt.date,
    in_touch: str,
    activity: str = "",
    accommodation: str = "",
    accommodation_suitable: bool | None = None,
) -> CareLeaverContact:
    """Record OC3 contact with a care leaver (within about a month of a birthday, 17th to 21st).
    Audits `casework.care_leaver_contact`."""
    if not PeriodOfCare.objects.filter(child=child, end_date__isnull=False).exists():
        invariants.refuse("contact_date", "This young person has not left care")
    age = child.age_on(contact_date)
    if age is not None and not 16 <= age <= 25:
        invariants.refuse("contact_date", "Care leaver contacts are recorded from the 17th to the 25th birthday")
    if in_touch == "YES" and not (activity and accommodation):
        invariants.refuse("activity", "Record the young person's main activity and accommodation")
    obj = CareLeaverContact(
        child=child,
        contact_date=contact_date,
        in_touch=in_touch,
        activity=activity,
        accommodation=accommodation,
        accommodation_suitable=accommodation_suitable,
    )
    return _simple_record(actor_user, actor, obj, contact_date, "casework.care_leaver_contact", "Care leaver contact")


# The DfE collects the reason for a change of social worker from 1 April 2023 (SSDA903 SW01bSTG1, SW13STG1);
# an episode that began before then may have none.
SW_REASON_REQUIRED_FROM = dt.date(2023, 4, 1)


def social_worker_episode_start(
    *, actor_user: Any, actor: Actor, child: Person, worker: User, start_date: dt.date, reason: str
) -> SocialWorkerEpisode:
    """The child's social worker changes: the open SW episode ends that day, a new one starts.
    Audits `casework.sw_episode_start`."""
    require_change(actor_user, child)
    invariants.not_in_future("start_date", start_date, "start date")
    if not reason and start_date >= SW_REASON_REQUIRED_FROM:
        invariants.refuse("reason", "Give the reason for the change of social worker (required from 1 April 2023)")
    previous = SocialWorkerEpisode.objects.filter(child=child, end_date__isnull=True).first()
    if previous and start_date < previous.start_date:
        invariants.refuse("start_date", "The new social worker cannot start before the current one did")
    with transaction.atomic():
        if previous:
            previous.end_date = start_date
            previous.save(update_fields=["end_date", "updated_at"])
        obj = SocialWorkerEpisode(
            child=child, recorded_by=actor_user, worker=worker, start_date=start_date, reason=reason
        )
        record_new(
            obj,
            actor_user=actor_user,
            actor=actor,
            child=child,
            action="casework.sw_episode_start",
            to_status=Stage.OPEN,
            effective_date=start_date,
            note="Social worker changed",
            worker_id=worker.pk,
        )
    return obj


def uasc_record(
    *, actor_user: Any, actor: Actor, child: Person, start_date: dt.date, ceased_date: dt.date | None = None
) -> UascStatus:
    """Record unaccompanied asylum-seeking child status (and the date it ceased, if it has).
    Audits `casework.uasc_record`."""
    invariants.not_in_future("ceased_date", ceased_date, "date UASC status ceased")
    if UascStatus.objects.filter(child=child, ceased_date__isnull=True).exists():
        invariants.refuse("start_date", "This child already has open UASC status: it must cease before a new one")
    invariants.not_before("ceased_date", ceased_date, start_date, "UASC status cannot end before it began")
    obj = UascStatus(child=child, start_date=start_date, ceased_date=ceased_date)
    return _simple_record(actor_user, actor, obj, start_date, "casework.uasc_record", "UASC status")


PERMANENCE_FIELDS = ("option", "la_code", "order_day", "order_month", "order_year")


def previous_permanence_record(
    *,
    actor_user: Any,
    actor: Actor,
    period: PeriodOfCare,
    option: str,
    la_code: str = "",
    order_day: int | None = None,
    order_month: int | None = None,
    order_year: int | None = None,
) -> PreviousPermanence:
    """Record (or correct) the child's permanence option before this period of care (SSDA903
    PrevPerm): the option, and for an order the local authority and the date, known in part or not
    at all. Audits `casework.previous_permanence_record` (with the fields changed, on a correction);
    status "" -> completed, or completed -> completed on a correction, dated the period's start."""
    child = period.child
    require_change(actor_user, child)
    la_code = la_code.strip().upper()
    invariants.check_previous_permanence(period, option, la_code, order_day, order_month, order_year)
    values = {
        "option": option,
        "la_code": la_code,
        "order_day": order_day,
        "order_month": order_month,
        "order_year": order_year,
    }
    existing = PreviousPermanence.objects.filter(period=period).first()
    with transaction.atomic():
        if existing is None:
            obj = PreviousPermanence(child=child, recorded_by=actor_user, period=period, **values)
            record_new(
                obj,
                actor_user=actor_user,
                actor=actor,
                child=child,
                action="casework.previous_permanence_record",
                to_status=Stage.COMPLETED,
                effective_date=period.start_date,
                note=f"Previous permanence recorded ({option})",
                option=option,
            )
            return obj
        changed = sorted(k for k, v in values.items() if getattr(existing, k) != v)
        if not changed:
            invariants.refuse("option", "Nothing has changed: correct the option, local authority or date")
        for name, value in values.items():
            setattr(existing, name, value)
        check_values(existing)
        existing.save()
        history(
            actor_user=actor_user,
            actor=actor,
            child=child,
            obj=existing,
            from_status=Stage.COMPLETED,
            to_status=Stage.COMPLETED,
            effective_date=period.start_date,
            note=f"Previous permanence corrected ({option})",
        )
        audit(
            actor=actor,
            action="casework.previous_permanence_record",
            child=child,
            obj=existing,
            option=option,
            changed=changed,
        )
    return existing


def dolo_record(
    *, actor_user: Any, actor: Actor, period: PeriodOfCare, start_date: dt.date, end_date: dt.date | None = None
) -> DeprivationOfLibertyOrder:
    """Record a deprivation of liberty order during a period of care (SSDA903 DoLo), and its end if
    it has ended. Audits `casework.dolo_record`; status "" -> open (and open -> ended on the end date)."""
    child = period.child
    require_change(actor_user, child)
    invariants.check_dolo(period, start_date, end_date)
    with transaction.atomic():
        obj = DeprivationOfLibertyOrder(
            child=child, recorded_by=actor_user, period=period, start_date=start_date, end_date=end_date
        )
        record_new(
            obj,
            actor_user=actor_user,
            actor=actor,
            child=child,
            action="casework.dolo_record",
            to_status=Stage.OPEN,
            effective_date=start_date,
            note="Deprivation of liberty order began",
            start_date=start_date,
            end_date=end_date,
        )
        if end_date is not None:
            history(
                actor_user=actor_user,
                actor=actor,
                child=child,
                obj=obj,
                from_status=Stage.OPEN,
                to_status=Stage.ENDED,
                effective_date=end_date,
                note="Deprivation of liberty order ended",
            )
    return obj


def dolo_end(
    *, actor_user: Any, actor: Actor, order: DeprivationOfLibertyOrder, end_date: dt.date
) -> DeprivationOfLibertyOrder:
    """Record the day a deprivation of liberty order ended. Audits `casework.dolo_end`; status
    open -> ended."""
    child = order.child
    require_change(actor_user, child)
    if order.end_date is not None:
        invariants.refuse("end_date", f"This order already ended on {order.end_date:%d %B %Y}")
    invariants.check_dolo(order.period, order.start_date, end_date, exclude=order.pk)
    with transaction.atomic():
        order.end_date = end_date
        order.save(update_fields=["end_date", "updated_at"])
        history(
            actor_user=actor_user,
            actor=actor,
            child=child,
            obj=order,
            from_status=Stage.OPEN,
            to_status=Stage.ENDED,
            effective_date=end_date,
            note="Deprivation of liberty order ended",
        )
        audit(actor=actor, action="casework.dolo_end", child=child, obj=order, end_date=end_date)
    return order
