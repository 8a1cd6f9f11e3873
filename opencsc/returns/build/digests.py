"""Computing the stored digests ahead of the pages (`manage.py refresh_digests`, run by seed_demo):
the DfE-rule findings of every child and the summary's own rows of every person, for today."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import asdict
from typing import Any

from django.db.models import Exists, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from opencsc.audit.models import SubjectVersion
from opencsc.casework.summary import own_rows_many
from opencsc.people import digests
from opencsc.people.models import Person, PersonDigest
from opencsc.returns.build.common import current_year
from opencsc.returns.build.entry import validate_each_child_for_returns

CHUNK = 500


def stale_person_ids(
    kind: str,
    day: dt.date,
    *,
    children_only: bool = False,
    among: Iterable[int] | None = None,
    everyone: bool = False,
) -> list[int]:
    """The people whose digest `kind` is missing, of another day, of an older format or older than
    their record."""
    counter = SubjectVersion.objects.filter(person_id=OuterRef(OuterRef("pk"))).values("version")[:1]
    fresh = PersonDigest.objects.filter(
        person_id=OuterRef("pk"),
        kind=kind,
        as_of=day,
        format=digests.FORMATS[kind],
        version=Coalesce(Subquery(counter), Value(0)),
    )
    people = Person.objects.all() if everyone else Person.objects.filter(~Exists(fresh))
    if children_only:
        people = people.filter(is_child=True)
    if among is not None:
        people = people.filter(pk__in=list(among))
    return list(people.order_by("pk").values_list("pk", flat=True))


def refresh(
    kinds: Iterable[str] = digests.KINDS,
    *,
    today: dt.date | None = None,
    among: Iterable[int] | None = None,
    everyone: bool = False,
    on_total: Callable[[int], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Compute and store every stale digest of `kinds` (of the people `among`, else everyone's);
    returns how many of each were stored. `everyone`: current ones too (after a data fix made
    outside the services, which no audit event told the change counter about)."""
    day = today or timezone.localdate()
    ids = None if among is None else list(among)
    plan = {
        kind: stale_person_ids(kind, day, children_only=kind == digests.FINDINGS, among=ids, everyone=everyone)
        for kind in kinds
    }
    if on_total:
        on_total(sum(len(ids) for ids in plan.values()))
    done: dict[str, int] = {}
    for kind, ids in plan.items():
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            # The counter is read before computing (as on the pages): a change meanwhile leaves the
            # digest stored under the older counter, which the next reader computes again.
            versions = dict(SubjectVersion.objects.filter(person_id__in=chunk).values_list("person_id", "version"))
            values = compute_many(kind, list(Person.objects.filter(pk__in=chunk).order_by("pk")), day)
            digests.store_many(kind, day, [(pk, versions.get(pk, 0), value) for pk, value in values.items()])
            done[kind] = done.get(kind, 0) + len(values)
            if progress:
                progress(len(chunk))
    return done


def compute_many(kind: str, people: list[Person], day: dt.date) -> dict[int, Any]:
    """The digest `kind` of each of `people` for `day`: the same value each page would compute for
    one person alone, built with one query per kind of row for them all."""
    if kind == digests.SUMMARY:
        return own_rows_many(people, day)
    year = current_year(day)
    # A child in neither return breaks no rule: no need to build one to find that out.
    found = validate_each_child_for_returns([p.pk for p in people], year)
    return {
        person.pk: {
            "year": year,
            "findings": [asdict(f) | {"severity": f.severity.value} for f in found.get(person.pk, [])],
        }
        for person in people
    }
