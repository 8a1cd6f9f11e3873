"""Every read of personal data about people. Each passes through `accounts.access` and writes an
audit event; a record the user may not see and one that does not exist raise the same Http404."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404

from opencsc.accounts import access
from opencsc.accounts.models import Allocation
from opencsc.audit.services import Actor, record_event
from opencsc.core.categories import DataCategory
from opencsc.core.personal_data import tags_for
from opencsc.people import identifiers
from opencsc.people.matching.service import MatchQuery, MatchResult, match_for_user
from opencsc.people.models import Person, PersonName
from opencsc.people.services import nhs_number_index


def get_person_for_user(
    *,
    user: Any,
    actor: Actor,
    person_id: int,
    purpose: str = "view",
    shown_with: Callable[[Person], Iterable[int]] | None = None,
) -> Person:
    """The person, if the user may see them; audits the read (flagging break-glass reads), or the
    refusal. Raises Http404 both for "not allowed" and "no such person". The returned person carries
    `access` (an `accounts.access.PersonAccess`), so the page need not ask again.

    `shown_with(person)` gives the ids of other people the page will name (relatives on the record, the
    family in a genogram, the summary's family); they go in the event's `person_ids`, so the trail
    answers "who was shown the mother's name?" too, and the person carries them as
    `audited_person_ids` (the summary then writes no second event for them).

    A partner lead practitioner (`access.record_categories`) gets the person row with the columns of
    their categories only, and `person.categories` says which: the pages built on it read no other."""
    categories = access.record_categories(user)
    rows = Person.objects.filter(pk=person_id)
    if categories is not None:
        rows = rows.only(*person_fields(categories))  # the other columns are never read, nor decrypted
    person, allowed = access.person_with_access(user, rows)
    if person is None:
        record_event(
            actor=actor,
            action="person.access_denied",
            subject_person_id=person_id,
            object_type="people.Person",
            object_id=str(person_id),
            outcome="denied",
            detail={"purpose": purpose},
        )
        raise Http404("No such person")
    shown = sorted(set(shown_with(person)) - {person.pk}) if shown_with else []
    break_glass = allowed.break_glass
    grant_reason = ""
    if break_glass:
        grant = user.break_glass_grants.active().filter(person_id=person.pk).order_by("-granted_at").first()
        grant_reason = grant.reason if grant else ""
    record_event(
        actor=actor,
        action="person.view",
        subject_person_id=person.pk,
        object_type="people.Person",
        object_id=str(person.pk),
        object_repr=f"person {person.pk}",
        reason=grant_reason,
        detail={
            "purpose": purpose,
            "break_glass": break_glass,
            **({"person_ids": shown} if shown_with else {}),
            **({"categories": sorted(categories)} if categories is not None else {}),
        },
    )
    person.viewed_under_break_glass = break_glass
    person.access = allowed
    person.audited_person_ids = frozenset(shown)  # named in this event: the page need not audit them again
    person.categories = categories
    return person


def person_fields(categories: Iterable[DataCategory]) -> list[str]:
    """The columns of a person row in these categories, with the keys and flags that are not
    personal data (from the field registry, so a new column is left out until it is tagged)."""
    wanted = set(categories)
    return [name for name, tag in tags_for(Person).items() if not isinstance(tag, DataCategory) or tag in wanted]


def get_person_for_change(*, user: Any, actor: Actor, person_id: int, purpose: str = "change") -> Person:
    """The person, if the user may change their record; otherwise the same 404 as a missing one,
    audited as `person.access_denied`. Writes no read event: a page that then shows the record
    (a form, a confirmation) calls `record_person_read` as it renders, and a write is audited by its
    service, so a successful save is one event."""
    if not access.can_change_person(user, person_id):
        raise refuse_person(actor=actor, person_id=person_id, purpose=purpose)
    return Person.objects.get(pk=person_id)


def refuse_person(*, actor: Actor, person_id: int, purpose: str) -> Http404:
    """Audit a refused attempt at a person's record and return the 404 to raise: the same for a
    record the user may not use this way and for one that does not exist."""
    record_event(
        actor=actor,
        action="person.access_denied",
        subject_person_id=person_id,
        object_type="people.Person",
        object_id=str(person_id),
        outcome="denied",
        detail={"purpose": purpose},
    )
    return Http404("No such person")


def relationships_both_ways(person: Person) -> list[Any]:
    """The person's relationships in both directions (`Relationship` rows with both people), read
    once per page: the record's relationships section, the summary's family and the audit event's
    `person_ids` all start from them. Kept on this person object, which lives for one request; who
    may see each relative is still decided by each caller."""
    from opencsc.people.models import Relationship

    cached = person.__dict__.get("_relationships_both_ways")
    if cached is None:
        # Both people's names only: their other columns (an NHS number, an ethnicity) are neither
        # read nor decrypted to print a name (a partner lead's pages never select them: tested).
        own = [f.name for f in Relationship._meta.concrete_fields]
        names = [f"{via}__{name}" for via in ("person", "relative") for name in ("first_name", "last_name", "is_child")]
        cached = list(
            Relationship.objects.filter(Q(person=person) | Q(relative=person))
            .select_related("person", "relative")
            .only(*own, *names)
            .order_by("pk")
        )
        person.__dict__["_relationships_both_ways"] = cached
    return cached


def relatives_shown(person: Person) -> list[int]:
    """The people a record page names in its relationships section (both directions)."""
    return [pk for rel in relationships_both_ways(person) for pk in (rel.person_id, rel.relative_id)]


def record_person_read(*, actor: Actor, person: Person, purpose: str, also_shown: Iterable[int] = ()) -> None:
    """Audit that a page is about to show this person's record (a change form, a remove
    confirmation, an allocation page). Every view that renders personal data writes its event:
    `opencsc/core/tests/test_url_walk_audit.py` walks every URL and fails on a page that does not."""
    record_event(
        actor=actor,
        action="person.view",
        subject_person_id=person.pk,
        object_type="people.Person",
        object_id=str(person.pk),
        object_repr=f"person {person.pk}",
        detail={
            "purpose": purpose,
            "break_glass": False,
            **({"person_ids": sorted(set(also_shown) - {person.pk})} if also_shown else {}),
        },
    )


def record_people_listed(*, actor: Actor, people_ids: list[int], listing: str) -> None:
    """Audit a page that lists people (the home page's caseload): which people, by id."""
    if people_ids:
        record_event(actor=actor, action="person.list", detail={"listing": listing, "person_ids": people_ids})


@dataclass
class SearchCriteria:
    name: str = ""
    date_of_birth: dt.date | None = None
    nhs_number: str = ""
    la_child_id: str = ""
    postcode: str = ""  # used by the matcher only

    def is_empty(self) -> bool:
        return not (self.name.strip() or self.date_of_birth or self.nhs_number.strip() or self.la_child_id.strip())

    def match_query(self) -> MatchQuery:
        """The same criteria for the matcher: with two or more words, the first is taken as the first
        name and the last as the surname (the matcher also tries them the other way round)."""
        words = self.name.split()
        first, other, surname = (
            (words[0], " ".join(words[1:-1]), words[-1]) if len(words) > 1 else ("", "", "".join(words))
        )
        return MatchQuery(
            first_name=first,
            other_names=other,
            surname=surname,
            date_of_birth=self.date_of_birth,
            postcode=self.postcode,
            nhs_number=self.nhs_number,
            la_child_id=self.la_child_id,
        )

    def audit_detail(self) -> dict[str, Any]:
        # The criteria are kept (an investigator asks "who looked for this child?"), the NHS number
        # only as its blind index so the audit table holds no NHS numbers in clear.
        return {
            "name": self.name.strip(),
            "date_of_birth": self.date_of_birth.isoformat() if self.date_of_birth else "",
            "nhs_number_index": nhs_number_index(self.nhs_number)[:16] if self.nhs_number.strip() else "",
            "la_child_id": self.la_child_id.strip(),
        }


@dataclass
class SearchResult:
    people: list[Person] = field(default_factory=list)
    truncated: bool = False
    matches: MatchResult | None = None  # the matcher's candidates, when asked for


# What a results list shows: a name to choose by, the date of birth and the LA child id. Nothing
# else is read, so a search decrypts no NHS number or ethnicity it does not display.
SEARCH_RESULT_FIELDS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "expected_date_of_birth",
    "la_child_id",
    "is_restricted",
)


def search_persons(*, user: Any, actor: Actor, criteria: SearchCriteria, with_matches: bool = False) -> SearchResult:
    """People the user may see who match every criterion given, in name order, at most
    OPENCSC_SEARCH_RESULT_LIMIT of them; with `with_matches`, also the matcher's candidates
    (nicknames, misspellings, swapped dates...: `people.matching`). One audit event, with the
    counts found and the ids of the people shown (an investigator asks "who was shown this child?")."""
    found: list[Person] = []
    limit = settings.OPENCSC_SEARCH_RESULT_LIMIT
    if not criteria.is_empty():
        people = _apply_criteria(access.visible_persons(user), criteria).only(*SEARCH_RESULT_FIELDS)
        found = list(people.order_by("last_name", "first_name", "pk")[: limit + 1])
    shown = found[:limit]
    detail = {**criteria.audit_detail(), "results": len(shown), "person_ids": [p.pk for p in shown]}
    matches = None
    if with_matches:
        matches = match_for_user(user=user, actor=actor, query=criteria.match_query(), audit=False)
        detail.update(matches.audit_detail)
    record_event(actor=actor, action="person.search", detail=detail)
    return SearchResult(people=shown, truncated=len(found) > limit, matches=matches)


def _name_starts_with(term: str) -> QuerySet[Any]:
    """Ids of the people with a name, preferred name or other name starting with `term`: a UNION of
    two index range scans (people_person and people_personname, see migration people 0003), rather
    than an OR across a join, which no index can answer."""
    own = Person.objects.filter(
        Q(last_name__istartswith=term) | Q(first_name__istartswith=term) | Q(preferred_name__istartswith=term)
    ).values("pk")
    other = PersonName.objects.filter(Q(last_name__istartswith=term) | Q(first_name__istartswith=term))
    return own.union(other.values("person_id"))


def _apply_criteria(people: QuerySet[Person], criteria: SearchCriteria) -> QuerySet[Person]:
    for term in criteria.name.split()[:4]:
        people = people.filter(pk__in=_name_starts_with(term))
    if criteria.date_of_birth:
        people = people.filter(
            Q(date_of_birth=criteria.date_of_birth) | Q(expected_date_of_birth=criteria.date_of_birth)
        )
    if criteria.nhs_number.strip():
        people = people.filter(nhs_number_index=nhs_number_index(criteria.nhs_number))
    if criteria.la_child_id.strip():
        people = people.filter(la_child_id__iexact=criteria.la_child_id.strip())
    return people  # every criterion is on the person row or an id subquery: no join, no duplicates


def caseload_for_user(user: Any) -> QuerySet[Allocation]:
    """The user's own current allocations (their caseload on the home page), children first."""
    return (
        Allocation.objects.current()
        .filter(worker=user, person__in=access.visible_persons(user))
        .select_related("person", "team")
        .order_by("person__last_name", "person__first_name")
    )


def format_identifier(person: Person) -> str:
    return identifiers.format_nhs_number(person.nhs_number) if person.nhs_number else ""
