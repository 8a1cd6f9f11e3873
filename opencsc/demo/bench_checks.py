"""MASH checks waiting for a partner organisation, made in bulk for the partner API benchmarks
(`bench/partner_api.py`, `bench/partner_hour.py`): the fixture, not what is measured.

An hour of check answers needs 30,000 checks waiting. The real path is three services per check
(`casework.services.contact_create`, `mash_triage_record`, `sharing.portal_services.check_send`:
about ten audit events on the one hash chain each), about 2.5 checks a second on the shared machine,
hours for an hour's fixture. `checks_bulk_send` writes the same rows in the same state with bulk
inserts, a few thousand checks to a transaction:

* per check: the contact (in triage), its two status-history rows, its decision task for the front
  door, the triage (amber), the police `MashCheck`, the `Disclosure` of the child's identifying
  details (the items and agreement that `check_send` would choose, its pack digest) and the
  `CheckRequest`; per child, the front-door allocation when the child has none, and one
  `SubjectVersion` bump (stored digests go stale as they would);
* the same refusals, asked once per child instead of once per check: the worker and the MASH
  practitioner may change the child's record, the practitioner may send checks, the organisation is
  one the MASH asks and an agreement lets it receive the child's name and the question;
* **not written: the preparation's audit events** (and so `Disclosure.audit_seq` stays empty). They
  are what made the real path slow, and the benchmark measures the answers, which are audited as
  always. Never use this for anything but a benchmark database of synthetic children.

`opencsc/demo/tests/test_bench_checks.py` holds it to the services: the rows it writes, model by
model and field by field, are those a service-made check leaves, and the API answers both alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from opencsc.accounts import access
from opencsc.accounts.models import Allocation, AllocationKind, User
from opencsc.audit.services import Actor, bump_subject_versions
from opencsc.casework import services as casework
from opencsc.casework import timescales
from opencsc.casework.models import Contact, ContactStatus, MashCheck, MashTriage, StatusChange, Task, TaskKind
from opencsc.casework.services.front_door import front_door_team
from opencsc.core.categories import DataCategory
from opencsc.people.models import Person
from opencsc.privacy.models import Purpose
from opencsc.sharing import rules
from opencsc.sharing import services as sharing_services
from opencsc.sharing.items import Item, disclosable_items, pack_digest
from opencsc.sharing.models import Agency, Channel, CheckRequest, Disclosure, DisclosureKind, SharingAgreement
from opencsc.sharing.portal_services import (
    CHECK_AGENCY_KIND,
    CHECK_PURPOSE,
    IDENTITY,
    _check_consent,
    _identity_keys,
    agencies_on_the_portal,
    check_due,
    check_send,
)

REASON = "Bench: school concern"
SOURCE = "2A"
RAG = "amber"
RATIONALE = "Bench"
QUESTION = "Bench: anything known?"


def check_send_through_services(*, worker: User, mash: User, child: Person, agency: Agency) -> CheckRequest:
    """One check the way a day's work makes it, each step audited: the worker's contact, the MASH
    triage, the check sent. What `checks_bulk_send` writes in bulk is held to this by a test."""
    today = timezone.localdate()
    contact = casework.contact_create(
        actor_user=worker,
        actor=Actor.from_user(worker),
        child=child,
        contact_date=today,
        source=SOURCE,
        reason=REASON,
        consent_given=True,
    )
    casework.mash_triage_record(
        actor_user=mash,
        actor=Actor.from_user(mash),
        contact=contact,
        rag=RAG,
        rationale=RATIONALE,
        triaged_on=today,
        agencies=[],
    )
    return check_send(
        actor_user=mash, actor=Actor.from_user(mash), contact=contact, agency=agency, urgency="amber", question=QUESTION
    )


class _Child:
    """What every check about one child shares: its items, agreement and consent wording."""

    def __init__(self, worker: User, person: Person, items: list[Item], agreement: SharingAgreement) -> None:
        self.worker, self.person, self.items, self.agreement = worker, person, items, agreement
        self.team = front_door_team(worker)  # where `contact_create` puts the child and the decision task


def _prepare_child(worker: User, person: Person, agency: Agency, purpose: Purpose) -> _Child:
    if not access.can_change_person(worker, person.pk):
        raise PermissionDenied(f"{worker} cannot change person {person.pk}'s record")
    decision = rules.evaluate(agency=agency, purpose=purpose, categories=[DataCategory.NAME, DataCategory.REFERRAL])
    if not decision.allowed:
        raise rules.SharingRefused(decision.reasons)
    probe = Contact(child=person, contact_date=timezone.localdate(), consent_given=True)
    keys = _identity_keys(probe, set(decision.allowed_categories))
    # `disclosure_share` picks these keys from every item of the record; they are all identifying ones.
    available = {item.key: item for items in disclosable_items(person, IDENTITY).values() for item in items}
    items = [available[key] for key in dict.fromkeys(keys)]
    agreement = rules.require(agency=agency, purpose=purpose, categories={i.category for i in items}).agreement
    assert agreement is not None  # noqa: S101  (require() returns only allowed decisions)
    return _Child(worker, person, items, agreement)


def _chunks(total: int, size: int) -> Iterator[range]:
    for start in range(0, total, size):
        yield range(start, min(total, start + size))


def checks_bulk_send(
    *,
    mash: User,
    agency: Agency,
    pairs: Sequence[tuple[User, Person]],
    count: int,
    question: str = QUESTION,
    urgency: str = "amber",
    per_transaction: int = 5000,
) -> list[int]:
    """Send `count` MASH checks to `agency`, cycling through the (social worker, child) `pairs`: each
    a contact recorded by the worker today, triaged amber and sent by `mash`, in the state the
    services leave them (see the module docstring). Returns the new `CheckRequest` ids."""
    if settings.OPENCSC_ENVIRONMENT == "production":
        raise ImproperlyConfigured("Bulk bench checks refuse to run in production: they skip audit events")
    if not access.can_send_partner_checks(mash):
        raise PermissionDenied
    if agency.recipient_type.code not in CHECK_AGENCY_KIND or not agencies_on_the_portal().filter(pk=agency.pk):
        raise ValidationError({"agency": f"{agency} is not an organisation the front door asks on the portal"})
    purpose = Purpose.objects.get(code=CHECK_PURPOSE)
    children = [_prepare_child(worker, person, agency, purpose) for worker, person in pairs]
    if not children:
        raise ValueError("No children to ask about")
    _front_door(children)
    for child in children:
        if not access.can_change_person(mash, child.person.pk):
            raise PermissionDenied(f"{mash} cannot change person {child.person.pk}'s record")
    ids: list[int] = []
    for chunk in _chunks(count, per_transaction):
        with transaction.atomic():
            ids += _write(mash, agency, purpose, [children[i % len(children)] for i in chunk], question, urgency)
            bump_subject_versions({children[i % len(children)].person.pk for i in chunk})
    _analyse()
    return ids


FILLED = (Contact, StatusChange, Task, MashTriage, MashCheck, Disclosure, CheckRequest, Allocation)


def _analyse() -> None:
    """Bring PostgreSQL's statistics up to date for the tables just filled (autovacuum would, some
    time later; the services' hours of inserts would have let it), so the benchmark's first queries
    are planned on the table as it is, not as it was before tens of thousands of rows arrived."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in FILLED:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _front_door(children: list[_Child]) -> None:
    """The front-door allocation `contact_create` opens for a child the front door does not hold."""
    held = set(
        Allocation.objects.current()
        .filter(person__in=[c.person for c in children], kind=AllocationKind.FRONT_DOOR)
        .values_list("person_id", "team_id")
    )
    today = timezone.localdate()
    missing = {(c.person.pk, c.team.pk): c for c in children if c.team and (c.person.pk, c.team.pk) not in held}
    Allocation.objects.bulk_create(
        [
            Allocation(person=c.person, team=c.team, worker=None, kind=AllocationKind.FRONT_DOOR, start_date=today)
            for c in missing.values()
        ]
    )


def _write(mash: User, agency: Agency, purpose: Purpose, batch: list[_Child], question: str, urgency: str) -> list[int]:
    today, start = timezone.localdate(), timezone.now()
    # One after another, as the services send them (a millisecond apart): the tray's order by due time
    # then id is not a tie of thousands of rows that the real path would never make.
    moments = [start + dt.timedelta(milliseconds=n) for n in range(len(batch))]
    due = timescales.contact_decision_due(today)
    mash_name = Actor.from_user(mash).name
    names = {c.worker.pk: Actor.from_user(c.worker).name for c in batch}
    contacts = Contact.objects.bulk_create(
        [
            Contact(
                child=c.person,
                recorded_by=c.worker,
                decision_due=due,
                contact_date=today,
                source=SOURCE,
                referrer="",
                reason=REASON,
                consent_given=True,
                no_consent_reason="",
                family_told="",
                status=ContactStatus.IN_TRIAGE,
            )
            for c in batch
        ]
    )
    label = Contact._meta.label
    StatusChange.objects.bulk_create(
        [
            row
            for c, contact in zip(batch, contacts, strict=True)
            for row in (
                StatusChange(
                    child=c.person,
                    object_type=label,
                    object_id=str(contact.pk),
                    from_status="",
                    to_status=ContactStatus.RECEIVED,
                    effective_date=today,
                    changed_by=c.worker,
                    actor_repr=names[c.worker.pk],
                    note="Contact received",
                ),
                StatusChange(
                    child=c.person,
                    object_type=label,
                    object_id=str(contact.pk),
                    from_status=ContactStatus.RECEIVED,
                    to_status=ContactStatus.IN_TRIAGE,
                    effective_date=today,
                    changed_by=mash,
                    actor_repr=mash_name,
                    note=f"MASH triage: {RAG}",
                ),
            )
        ]
    )
    Task.objects.bulk_create(
        [
            Task(
                person=c.person,
                kind=TaskKind.CONTACT_DECISION,
                title=TaskKind.CONTACT_DECISION.label,
                due_date=due,
                team=c.team,
                assignee=None,
                object_type=label,
                object_id=str(contact.pk),
            )
            for c, contact in zip(batch, contacts, strict=True)
        ]
    )
    triages = MashTriage.objects.bulk_create(
        [
            MashTriage(
                child=c.person, recorded_by=mash, contact=contact, rag=RAG, rationale=RATIONALE, triaged_on=today
            )
            for c, contact in zip(batch, contacts, strict=True)
        ]
    )
    kind = CHECK_AGENCY_KIND[agency.recipient_type.code]
    checks = MashCheck.objects.bulk_create(
        [
            MashCheck(child=c.person, recorded_by=mash, triage=triage, agency=kind, requested_on=today)
            for c, triage in zip(batch, triages, strict=True)
        ]
    )
    disclosures = [
        _disclosure(c, contact, mash, mash_name, agency, purpose, now)
        for c, contact, now in zip(batch, contacts, moments, strict=True)
    ]
    # The pack digest covers the reference (the id): on PostgreSQL take the ids first and insert each
    # row whole; elsewhere insert, then add the digests.
    ids = _next_ids(Disclosure, len(disclosures))
    for disclosure, pk in zip(disclosures, ids or [], strict=False):
        disclosure.pk = pk
    if ids is None:
        Disclosure.objects.bulk_create(disclosures)
    for c, disclosure in zip(batch, disclosures, strict=True):
        disclosure.pack_digest = pack_digest(sharing_services.pack_header(disclosure), c.items)
    if ids is None:
        Disclosure.objects.bulk_update(disclosures, ["pack_digest"], batch_size=1000)
    else:
        Disclosure.objects.bulk_create(disclosures)
    requests = CheckRequest.objects.bulk_create(
        [
            CheckRequest(
                mash_check=check,
                person=c.person,
                agency=agency,
                agreement=disclosure.agreement,
                purpose=purpose,
                disclosure=disclosure,
                question=question.strip(),
                urgency=urgency,
                due_at=check_due(urgency, disclosure.disclosed_at),
                sent_by=mash,
                sent_at=disclosure.disclosed_at,
            )
            for c, check, disclosure in zip(batch, checks, disclosures, strict=True)
        ]
    )
    return [r.pk for r in requests]


def _next_ids(model: type[Disclosure], count: int) -> list[int] | None:
    """`count` ids from the table's own sequence (PostgreSQL), or None elsewhere."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _disclosure(
    c: _Child, contact: Contact, mash: User, mash_name: str, agency: Agency, purpose: Purpose, now: dt.datetime
) -> Disclosure:
    consent, consent_detail = _check_consent(contact)
    categories = [code.value for code in DataCategory if any(i.category == code for i in c.items)]
    return Disclosure(
        person=c.person,
        kind=DisclosureKind.SHARE,
        agency=agency,
        agreement=c.agreement,
        purpose=purpose,
        lawful_basis=c.agreement.lawful_basis,
        **sharing_services._conditions(
            {i.category for i in c.items}, c.agreement.special_condition, c.agreement.criminal_condition
        ),
        consent=consent,
        consent_detail=consent_detail.strip(),
        channel=Channel.PORTAL,
        categories=categories,
        records=[item.reference() for item in c.items],
        disclosed_by=mash,
        actor_repr=mash_name,
        disclosed_at=now,
    )
