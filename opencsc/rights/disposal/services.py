"""Disposal batches (ADR 0030): prepare (from what the retention rules say is due), approve (a
second information governance officer: never the preparer), carry out (one transaction per person,
so a process killed part-way leaves each person either whole or gone; running again carries on).

Every write is audited in its own transaction. A legal hold is checked when the batch is prepared
and again, inside each person's transaction, when it is carried out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from opencsc.accounts import access
from opencsc.audit.models import SubjectVersion
from opencsc.audit.scrub import scrub_events
from opencsc.audit.services import Actor, record_event
from opencsc.people.models import Person
from opencsc.rights.disposal import linked, removal
from opencsc.rights.disposal.models import (
    LINKED_ADULT,
    LINKED_ADULT_NAME,
    BatchStatus,
    DisposalBatch,
    DisposalItem,
    ItemOutcome,
)
from opencsc.rights.models import LegalHold
from opencsc.rights.retention import Due, evaluate


class DisposalError(Exception):
    """A disposal step that may not happen, with a message for the user."""


class DisposalRefused(DisposalError):
    """One person's disposal refused at carry-out (a legal hold, no longer due)."""


def _require_ig(user: Any) -> None:
    if not access.can_manage_rights_requests(user):
        raise DisposalError("Only an information governance officer can do this")


def _in_open_batches() -> set[int]:
    open_items = DisposalItem.objects.filter(outcome=ItemOutcome.PENDING).exclude(batch__status=BatchStatus.CARRIED_OUT)
    return set(open_items.values_list("person_id", flat=True))


def proposed(today: dt.date) -> tuple[list[Due], list[Due]]:
    """(what a batch prepared today would hold, linked adults included; what is due but held).
    People already in a batch not yet carried out are left out."""
    busy = _in_open_batches()
    due = [d for d in evaluate(today=today) if d.person_id not in busy]
    held = [d for d in due if d.held_by]
    children = {d.person_id: d for d in due if not d.held_by}
    holds = LegalHold.objects.active()
    if holds.filter(person__isnull=True).exists():
        return [], held
    adults = linked.linked_adults(set(children)) if children else {}
    held_adults = set(holds.filter(person_id__in=adults).values_list("person_id", flat=True))
    out = list(children.values())
    for adult, tied in sorted(adults.items()):
        if adult in busy or adult in held_adults:
            continue
        latest = max((children[c] for c in tied), key=lambda d: d.due_on)
        out.append(Due(adult, "", LINKED_ADULT, LINKED_ADULT_NAME, latest.trigger_date, latest.due_on))
    return out, held


def _next_reference(today: dt.date) -> str:
    n = DisposalBatch.objects.filter(reference__startswith=f"DB-{today.year}-").count() + 1
    return f"DB-{today.year}-{n:04d}"


def batch_prepare(*, actor: Actor, actor_user: Any, today: dt.date | None = None) -> DisposalBatch:
    """A batch of everything due today and not held. Refused when nothing is due."""
    _require_ig(actor_user)
    today = today or timezone.localdate()
    items, _ = proposed(today)
    if not items:
        raise DisposalError("Nothing is due for disposal that is not under a legal hold or in another batch")
    children = {d.person_id for d in items if d.rule != LINKED_ADULT}
    with transaction.atomic():
        batch = DisposalBatch.objects.create(reference=_next_reference(today), due_as_of=today, prepared_by=actor_user)
        adults = linked.linked_adults(children)
        DisposalItem.objects.bulk_create(
            DisposalItem(
                batch=batch,
                person_id=d.person_id,
                rule=d.rule,
                rule_name=d.rule_name,
                trigger_date=d.trigger_date,
                due_on=d.due_on,
                linked_to=sorted(adults.get(d.person_id, ())) if d.rule == LINKED_ADULT else [],
            )
            for d in items
        )
        record_event(
            actor=actor,
            action="rights.disposal_prepare",
            obj=batch,
            detail={"people": len(items), "person_ids": sorted(d.person_id for d in items)},
        )
    return batch


def batch_approve(*, actor: Actor, actor_user: Any, batch: DisposalBatch) -> None:
    """Four eyes: the approver is an information governance officer who did not prepare it."""
    _require_ig(actor_user)
    with transaction.atomic():
        batch = DisposalBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != BatchStatus.PREPARED:
            raise DisposalError("This batch is not waiting for approval")
        if batch.prepared_by_id == actor_user.pk:
            raise DisposalError("You prepared this batch, so someone else must approve it")
        batch.status, batch.approved_by, batch.approved_at = BatchStatus.APPROVED, actor_user, timezone.now()
        batch.save(update_fields=["status", "approved_by", "approved_at"])
        record_event(actor=actor, action="rights.disposal_approve", obj=batch)


def _hold_on(person_ids: list[int]) -> LegalHold | None:
    return (
        LegalHold.objects.active()
        .filter(Q(person__isnull=True) | Q(person_id__in=person_ids))
        .select_related("set_by")
        .first()
    )


def person_dispose(*, actor: Actor, item: DisposalItem, still_due: Callable[[DisposalItem], str]) -> None:
    """Remove one person's data everywhere, in one transaction, or refuse (DisposalRefused)."""
    cause = f"disposal {item.batch.reference}"
    with transaction.atomic():
        if not _still_pending(item):
            return  # carried out meanwhile by another run (the page and the command at once)
        person = Person.objects.select_for_update().filter(pk=item.person_id).first()
        if person is None:
            raise DisposalRefused("The record no longer exists (merged or disposed of elsewhere)")
        people = removal.people_of(person.pk)
        hold = _hold_on(people)
        if hold is not None:
            raise DisposalRefused(f"Under legal hold: {hold.name}, set by {hold.set_by}")
        if problem := still_due(item):
            raise DisposalRefused(problem)
        try:
            found = removal.rows_of_person(person.pk)
        except removal.Entangled as exc:
            raise DisposalRefused(f"Kept: {exc}") from exc
        removal.remove_from_matching_index(people)
        files = removal.file_fields(found)
        scrubbed = scrub_events(removal.audit_scope(found), cause=cause)
        categories = found.categories()
        removal.remove(found)
        removal.delete_files_after_commit(files)
        item.outcome, item.disposed_at = ItemOutcome.DISPOSED, timezone.now()
        item.categories, item.rows_removed, item.events_scrubbed = categories, found.counts(), scrubbed
        item.save(update_fields=["outcome", "disposed_at", "categories", "rows_removed", "events_scrubbed"])
        record_event(
            actor=actor,
            action="rights.disposal_person",
            subject_person_id=item.person_id,
            obj=item.batch,
            detail={"rows": sum(item.rows_removed.values()), "events_scrubbed": scrubbed, "rule": item.rule},
        )
        # The event just written bumped the disposed person's change counter: that row names them too.
        SubjectVersion.objects.filter(person_id__in=people).delete()


def _still_pending(item: DisposalItem) -> bool:
    """Lock the item; True while nobody has carried it out (call inside a transaction)."""
    outcome = DisposalItem.objects.select_for_update().filter(pk=item.pk).values_list("outcome", flat=True).first()
    return outcome == ItemOutcome.PENDING


def _refuse(actor: Actor, item: DisposalItem, reason: str) -> None:
    with transaction.atomic():
        if not _still_pending(item):
            return
        item.outcome, item.refused_reason = ItemOutcome.REFUSED, reason[:300]
        item.save(update_fields=["outcome", "refused_reason"])
        record_event(
            actor=actor,
            action="rights.disposal_refused",
            subject_person_id=item.person_id,
            obj=item.batch,
            detail={"rule": item.rule},
            reason=reason,
        )


def _due_check(batch: DisposalBatch, today: dt.date) -> Callable[[DisposalItem], str]:
    due_now = {d.person_id for d in evaluate(today=today)}
    items = list(batch.items.all())
    in_batch = {i.person_id for i in items}

    def check(item: DisposalItem) -> str:
        if item.rule != LINKED_ADULT:
            return "" if item.person_id in due_now else "No longer due (new activity or an open case)"
        refused = {i.person_id for i in batch.items.filter(outcome=ItemOutcome.REFUSED)}
        if set(item.linked_to) & refused:
            return "Kept: a child this adult is linked to is kept"
        if linked.has_records_of_their_own(item.person_id):
            return "Kept: this adult now has records of their own"
        ties = linked.ties_of({item.person_id})[item.person_id]
        if not ties <= in_batch - refused:
            return "Kept: this adult is now linked to someone who is kept"
        return ""

    return check


def batch_carry_out(
    *, actor: Actor, actor_user: Any, batch: DisposalBatch, progress: Callable[[int, int], None] | None = None
) -> DisposalBatch:
    """Dispose of every pending item of an approved batch: children first, then linked adults. Each
    person is one transaction; a refusal (legal hold, no longer due) is recorded and the run goes
    on. Safe to run again after an interruption: it carries on with the pending items."""
    _require_ig(actor_user)
    batch = DisposalBatch.objects.get(pk=batch.pk)
    if batch.status != BatchStatus.APPROVED:
        raise DisposalError("Only an approved batch can be carried out")
    check = _due_check(batch, timezone.localdate())
    pending = sorted(
        batch.items.filter(outcome=ItemOutcome.PENDING), key=lambda i: (i.rule == LINKED_ADULT, i.person_id)
    )
    for done, item in enumerate(pending, start=1):
        try:
            person_dispose(actor=actor, item=item, still_due=check)
        except DisposalRefused as refused:
            _refuse(actor, item, str(refused))
        if progress is not None:
            progress(done, len(pending))
    with transaction.atomic():
        batch.status, batch.carried_out_by, batch.carried_out_at = (
            BatchStatus.CARRIED_OUT,
            actor_user,
            timezone.now(),
        )
        batch.save(update_fields=["status", "carried_out_by", "carried_out_at"])
        outcomes = {str(o): batch.items.filter(outcome=o).count() for o in (ItemOutcome.DISPOSED, ItemOutcome.REFUSED)}
        record_event(actor=actor, action="rights.disposal_carry_out", obj=batch, detail=outcomes)
    return batch
