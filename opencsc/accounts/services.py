"""Writes about access: allocations, restricted lists, break-glass. Each is audited in its transaction."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import mail_admins, send_mail
from django.db import transaction
from django.utils import timezone

from opencsc.accounts import access
from opencsc.accounts.models import (
    Allocation,
    AllocationKind,
    BreakGlassGrant,
    BreakGlassReason,
    GovernanceAlert,
    RestrictedAccess,
    Role,
    Team,
    User,
)
from opencsc.audit.services import Actor, record_event
from opencsc.people.models import Person

MIN_BREAK_GLASS_REASON = 20


def allocation_open(
    *,
    actor: Actor,
    person: Person,
    team: Team,
    worker: User | None = None,
    kind: str = AllocationKind.ALLOCATED_WORKER,
    start_date: dt.date | None = None,
) -> Allocation:
    with transaction.atomic():
        allocation = Allocation.objects.create(
            person=person, team=team, worker=worker, kind=kind, start_date=start_date or timezone.localdate()
        )
        record_event(
            actor=actor,
            action="allocation.open",
            subject_person_id=person.pk,
            obj=allocation,
            object_repr=f"{team} / {worker or 'unallocated'}",
            detail={"team_id": team.pk, "worker_id": worker.pk if worker else None, "kind": kind},
        )
    return allocation


def allocation_end(*, actor: Actor, allocation: Allocation, end_date: dt.date | None = None) -> Allocation:
    end = end_date or timezone.localdate()
    if end < allocation.start_date:
        raise ValidationError({"end_date": "The end date must be on or after the allocation started"})
    with transaction.atomic():
        allocation.end_date = end
        allocation.save(update_fields=["end_date"])
        record_event(
            actor=actor,
            action="allocation.end",
            subject_person_id=allocation.person_id,
            obj=allocation,
            object_repr=f"{allocation.team} / {allocation.worker or 'unallocated'}",
        )
    return allocation


def person_reallocate(*, actor_user: User, actor: Actor, person: Person, team: Team, worker: User | None) -> Allocation:
    """A team manager moves a child to a team and (optionally) a named worker. The current worker
    allocations end today and the new one starts today, in one transaction with both audit events."""
    if not (access.can_allocate(actor_user) and access.can_change_person(actor_user, person.pk)):
        raise PermissionDenied
    if worker is not None and worker.team_id != team.pk:
        raise ValidationError({"worker": f"Select a worker in {team}, or leave the child unallocated in the team"})
    today = timezone.localdate()
    with transaction.atomic():
        current = Allocation.objects.current().filter(person=person, kind=AllocationKind.ALLOCATED_WORKER)
        for allocation in current:
            allocation_end(actor=actor, allocation=allocation, end_date=max(today, allocation.start_date))
        return allocation_open(actor=actor, person=person, team=team, worker=worker, start_date=today)


def restricted_grant(*, actor_user: User, actor: Actor, person: Person, user: User) -> RestrictedAccess:
    if not access.can_manage_restricted(actor_user):
        raise PermissionDenied
    with transaction.atomic():
        grant, _ = RestrictedAccess.objects.get_or_create(person=person, user=user, defaults={"granted_by": actor_user})
        record_event(
            actor=actor,
            action="restricted.grant",
            subject_person_id=person.pk,
            obj=grant,
            object_repr=f"named {user.get_username()}",
            detail={"user_id": user.pk},
        )
    return grant


def person_set_restricted(*, actor_user: User, actor: Actor, person: Person, restricted: bool) -> Person:
    if not access.can_manage_restricted(actor_user):
        raise PermissionDenied
    with transaction.atomic():
        Person.objects.filter(pk=person.pk).update(is_restricted=restricted)
        person.is_restricted = restricted
        record_event(
            actor=actor,
            action="restricted.set",
            subject_person_id=person.pk,
            object_type="people.Person",
            object_id=str(person.pk),
            detail={"restricted": restricted},
        )
    return person


def break_glass_open(*, user: User, actor: Actor, person: Person, reason_category: str, reason: str) -> BreakGlassGrant:
    """Open emergency access to one record. Refused without a role that may, a reason category and a
    written reason of at least 20 characters. Alerts information governance at once."""
    if not access.can_break_glass(user, person):
        raise PermissionDenied
    reason = reason.strip()
    errors = {}
    if reason_category not in BreakGlassReason.values:
        errors["reason_category"] = "Select why you need emergency access"
    if len(reason) < MIN_BREAK_GLASS_REASON:
        errors["reason"] = f"Explain why you need emergency access in at least {MIN_BREAK_GLASS_REASON} characters"
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        grant = BreakGlassGrant.objects.create(
            user=user,
            person=person,
            reason_category=reason_category,
            reason=reason,
            granted_at=now,
            expires_at=now + dt.timedelta(minutes=settings.OPENCSC_BREAK_GLASS_MINUTES),
        )
        alert = GovernanceAlert.objects.create(
            kind=GovernanceAlert.Kind.BREAK_GLASS,
            user=user,
            subject_person_id=person.pk,
            break_glass=grant,
            summary=f"{user.get_username()} used break-glass access ({grant.get_reason_category_display()})",
        )
        record_event(
            actor=actor,
            action="break_glass.open",
            subject_person_id=person.pk,
            obj=grant,
            object_repr=f"until {grant.expires_at:%Y-%m-%d %H:%M}",
            reason=reason,
            detail={"reason_category": reason_category, "alert_id": alert.pk},
        )
        transaction.on_commit(lambda: _notify_governance(alert))
    return grant


def _notify_governance(alert: GovernanceAlert) -> None:
    """E-mail the IG officers. The message carries a reference, never case content."""
    recipients = list(
        User.objects.filter(role=Role.IG_OFFICER, is_active=True).exclude(email="").values_list("email", flat=True)
    )
    subject = f"[{settings.OPENCSC_SERVICE_NAME}] Break-glass access to review (alert {alert.pk})"
    body = f"{alert.summary}.\nReview it in the information governance queue: alert {alert.pk}."
    if recipients:
        send_mail(subject, body, None, recipients, fail_silently=True)
    else:
        mail_admins(subject, body, fail_silently=True)


def break_glass_review(
    *, reviewer: User, actor: Actor, grant: BreakGlassGrant, note: str, revoke: bool
) -> BreakGlassGrant:
    if not access.can_review_break_glass(reviewer):
        raise PermissionDenied
    if reviewer.pk == grant.user_id:
        raise PermissionDenied("Nobody may review their own break-glass access")
    now = timezone.now()
    with transaction.atomic():
        grant.reviewed_by, grant.reviewed_at, grant.review_note = reviewer, now, note
        if revoke and grant.revoked_at is None:
            grant.revoked_at = now
        grant.save(update_fields=["reviewed_by", "reviewed_at", "review_note", "revoked_at"])
        GovernanceAlert.objects.filter(break_glass=grant, closed_at__isnull=True).update(closed_at=now)
        record_event(
            actor=actor,
            action="break_glass.review",
            subject_person_id=grant.person_id,
            obj=grant,
            reason=note,
            detail={"revoked": revoke},
        )
    return grant
