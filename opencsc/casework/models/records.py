"""Visits, case notes, curated chronology entries and the work tray's tasks."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from opencsc.casework.models.base import BASE_TAGS, CaseworkRecord
from opencsc.core.categories import DataCategory as C
from opencsc.core.fields import EncryptedTextField
from opencsc.core.personal_data import NOT_PERSONAL as NP
from opencsc.core.personal_data import personal_data


class VisitKind(models.TextChoices):
    CP = "cp", "Child protection statutory visit"
    CIN = "cin", "Child in need visit"
    LAC = "lac", "Looked-after child statutory visit"


@personal_data(
    **BASE_TAGS,
    episode=NP,
    kind=C.REFERRAL,
    visit_date=C.REFERRAL,
    seen=C.REFERRAL,
    seen_alone=C.REFERRAL,
    worker=NP,
    summary=C.REFERRAL,
)
class Visit(CaseworkRecord):
    """A statutory visit: whether the child was seen, and seen alone (Annex A lists 6 to 8)."""

    episode = models.ForeignKey(
        "casework.ReferralEpisode", null=True, blank=True, on_delete=models.PROTECT, related_name="visits"
    )
    kind = models.CharField(max_length=4, choices=VisitKind.choices)
    visit_date = models.DateField()
    seen = models.BooleanField("Child seen")
    seen_alone = models.BooleanField("Child seen alone")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["-visit_date", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(seen_alone=False) | Q(seen=True), name="seen_alone_implies_seen"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.visit_date:%d %b %Y}"


class NoteKind(models.TextChoices):
    CASE_NOTE = "case_note", "Case note"
    VISIT = "visit", "Home visit"
    PHONE = "phone", "Telephone call"
    MEETING = "meeting", "Meeting"
    SUPERVISION = "supervision", "Supervision"
    MANAGEMENT = "management", "Management oversight"
    CORRESPONDENCE = "correspondence", "Email or letter"
    DIRECT_WORK = "direct_work", "Direct work with the child"


@personal_data(
    **BASE_TAGS,
    episode=NP,
    kind=C.REFERRAL,
    note_date=C.REFERRAL,
    subject=C.REFERRAL,
    body=C.REFERRAL,
    third_party=NP,
    categories=NP,
)
class CaseNote(CaseworkRecord):
    """A case note. The author flags whether it holds third-party information (withheld from a
    subject access bundle unless cleared) and which data categories it holds. The body is always
    encrypted at rest because it may hold health or police information."""

    episode = models.ForeignKey(
        "casework.ReferralEpisode", null=True, blank=True, on_delete=models.PROTECT, related_name="notes"
    )
    kind = models.CharField(max_length=16, choices=NoteKind.choices, default=NoteKind.CASE_NOTE)
    note_date = models.DateField()
    subject = models.CharField(max_length=200)
    body = EncryptedTextField()
    third_party = models.BooleanField("Holds information about or from a third party", default=False)
    categories = models.JSONField(default=list, blank=True, help_text="DataCategory values the note holds")

    class Meta:
        ordering = ["-note_date", "-pk"]
        indexes = [models.Index(fields=["child", "-note_date"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"


@personal_data(**BASE_TAGS, entry_date=C.REFERRAL, title=C.REFERRAL, detail=C.REFERRAL, significant=NP)
class ChronologyEntry(CaseworkRecord):
    """A curated chronology entry: a significant event the worker adds (the rest of the chronology is
    generated from status history)."""

    entry_date = models.DateField()
    title = models.CharField(max_length=200)
    detail = models.TextField(blank=True)
    significant = models.BooleanField(default=True)

    class Meta:
        ordering = ["entry_date", "pk"]
        verbose_name_plural = "chronology entries"

    def __str__(self) -> str:
        return f"Chronology entry {self.pk}"


class TaskKind(models.TextChoices):
    CONTACT_DECISION = "contact_decision", "Decide on the contact"
    ASSESSMENT = "assessment", "Complete the assessment"
    AUTHORISE_ASSESSMENT = "authorise_assessment", "Authorise the assessment"
    ICPC = "icpc", "Hold the initial child protection conference"
    CORE_GROUP = "core_group", "Hold the core group"
    CP_REVIEW = "cp_review", "Hold the review conference"
    CP_VISIT = "cp_visit", "Child protection visit"
    CIN_VISIT = "cin_visit", "Child in need visit"
    CIN_REVIEW = "cin_review", "Review the child in need plan"
    LAC_REVIEW = "lac_review", "Hold the looked-after review"
    LAC_VISIT = "lac_visit", "Looked-after statutory visit"
    ALLOCATE = "allocate", "Allocate a worker"
    CONTACT_PASSED = "contact_passed", "Read a new contact passed to you"
    FAMILY_ASSESSMENT = "family_assessment", "Complete the whole-family assessment"
    FAMILY_PLAN = "family_plan", "Agree the family's plan"
    FAMILY_PLAN_REVIEW = "family_plan_review", "Review the family's plan"


class TaskQuerySet(models.QuerySet["Task"]):
    def open(self) -> TaskQuerySet:
        return self.filter(done_at__isnull=True)


@personal_data(
    id=NP,
    person=NP,
    kind=NP,
    title=NP,
    due_date=NP,
    assignee=NP,
    team=NP,
    object_type=NP,
    object_id=NP,
    created_at=NP,
    done_at=NP,
    done_by=NP,
)
class Task(models.Model):
    """An item in a work tray. Services open tasks when a clock starts and close them when the step
    is done; the title is generated from the kind (no free text about the child)."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="casework_tasks")
    kind = models.CharField(max_length=24, choices=TaskKind.choices)
    title = models.CharField(max_length=200)
    due_date = models.DateField()
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="casework_tasks",
    )
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(fields=["assignee", "done_at", "due_date"]),
            models.Index(fields=["team", "done_at", "due_date"]),
            models.Index(fields=["person", "done_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.title} (due {self.due_date:%d %b %Y})"

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.done_at is None and self.due_date < (today or timezone.localdate())


@personal_data(
    id=NP,
    recipient=NP,
    person=NP,
    title=NP,
    object_type=NP,
    object_id=NP,
    created_at=NP,
    read_at=NP,
)
class WorkerNotification(models.Model):
    """Something a worker must know about a child they hold, shown on their home page until read
    (for example a new contact the front door passed to them). The title is generated from fixed
    wording (no free text about the child), so it is not personal data; the page it links to is
    access-checked and audited as usual."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title
