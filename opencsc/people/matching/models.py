"""Tables of the matching service: a profile and blocking keys per person (the index), name
frequencies, legacy identifiers, proposed duplicate pairs and merges (with the aliases they leave).

Imported by `people.models`, so they belong to the people app and its migrations.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from opencsc.core.categories import DataCategory as C
from opencsc.core.personal_data import NOT_PERSONAL as NP
from opencsc.core.personal_data import personal_data


@personal_data(
    person=NP,
    given=C.NAME,
    surnames=C.NAME,
    sex=C.NAME,
    date_of_birth=C.DATE_OF_BIRTH,
    postcodes=C.ADDRESS,
    nhs_number_index=C.NHS_NUMBER,
    la_child_id=C.NAME,
    upn=C.UPN,
)
class MatchProfile(models.Model):
    """What the scorer compares, one row per person, derived from the record by `matching.index`
    (never edited by hand): normalised name tokens, the date of birth (or expected date), the
    postcodes (current first), and the identifiers (the NHS number only as its blind index)."""

    person = models.OneToOneField("people.Person", on_delete=models.CASCADE, primary_key=True, related_name="+")
    given = models.CharField(max_length=300, blank=True, help_text="First, preferred and other first names")
    surnames = models.CharField(max_length=300, blank=True, help_text="Surname and other surnames")
    sex = models.CharField(max_length=1, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    postcodes = models.CharField(max_length=200, blank=True)
    nhs_number_index = models.CharField(max_length=64, blank=True)
    la_child_id = models.CharField(max_length=20, blank=True)
    upn = models.CharField(max_length=13, blank=True)

    def __str__(self) -> str:
        return f"profile of person {self.pk}"


@personal_data(id=NP, person=NP, key=NP)
class MatchKey(models.Model):
    """A blocking key: a 64-bit hash of, for example, "phonetic code of a name | birth year | birth
    month". A query computes its own keys and reads the people sharing most of them from the
    (key, person) index; only those are scored."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    key = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["key", "person"], name="matchkey_key_person")]

    def __str__(self) -> str:
        return f"match key {self.pk}"


@personal_data(token=C.NAME, count=NP)
class NameFrequency(models.Model):
    """How many people carry each name token: common names weigh less as evidence."""

    token = models.CharField(max_length=100, primary_key=True)
    count = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"name frequency {self.pk}"


@personal_data(id=NP, person=NP, source=NP, value=C.NAME, created_at=NP)
class ExternalId(models.Model):
    """A person's identifier in a legacy system (`import_people` is idempotent by it)."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="external_ids")
    source = models.CharField(max_length=40, default="import")
    value = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "value"], name="one_person_per_external_id")]

    def __str__(self) -> str:
        return f"external id {self.pk}"


class PairStatus(models.TextChoices):
    PROPOSED = "proposed", "Waiting for review"
    MERGED = "merged", "Merged"
    NOT_DUPLICATE = "not_duplicate", "Not the same person"


@personal_data(
    id=NP,
    person_a=NP,
    person_b=NP,
    score=NP,
    band=NP,
    reasons=C.NAME,
    status=NP,
    found_at=NP,
    reviewed_by=NP,
    reviewed_at=NP,
)
class DuplicatePair(models.Model):
    """Two records `find_duplicates` thinks are one person (person_a has the lower id)."""

    person_a = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    band = models.CharField(max_length=10)
    reasons = models.JSONField(default=list)
    status = models.CharField(max_length=16, choices=PairStatus.choices, default=PairStatus.PROPOSED)
    found_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="one_proposal_per_pair"),
            models.CheckConstraint(condition=Q(person_a__lt=models.F("person_b")), name="pair_in_id_order"),
        ]
        indexes = [models.Index(fields=["status", "-score"], name="duplicatepair_queue")]

    def __str__(self) -> str:
        return f"duplicate pair {self.pk}"


@personal_data(
    id=NP,
    survivor=NP,
    merged=NP,
    moved=NP,
    removed=C.RELATIONSHIPS,
    reason=NP,
    merged_by=NP,
    merged_at=NP,
    unmerged_by=NP,
    unmerged_at=NP,
)
class PersonMerge(models.Model):
    """One merge: every row that pointed at `merged` now points at `survivor`. While it stands
    (`unmerged_at` empty) the merged id is an alias of the survivor: its pages redirect there.
    `moved` lists [model label, row id, field] for each row moved, and `removed` the rows that
    could not move without breaking a rule (the same family twice, a relationship of the survivor
    with themselves), kept here whole, so an unmerge puts everything back exactly."""

    survivor = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    moved = models.JSONField(default=list)
    removed = models.JSONField(default=list)
    reason = models.CharField(max_length=500, blank=True)
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField(default=timezone.now)
    unmerged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unmerged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["merged"], condition=Q(unmerged_at__isnull=True), name="one_standing_merge_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"merge {self.pk}"
