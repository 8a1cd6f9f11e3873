"""A child's record full of other people: relatives, a neighbour named in notes, professionals."""

from __future__ import annotations

import datetime as dt

from opencsc.audit.services import Actor, record_event
from opencsc.casework.models import CaseNote, ChronologyEntry
from opencsc.people.models import Address, AgencyInformation, TelephoneNumber
from opencsc.people.tests.factories import ChildFactory, PersonFactory, RelationshipFactory


def busy_record(child, worker):
    """Returns the third parties: a mother (relationship, address, phone), a sibling sharing the
    child's surname and address, and an unrelated neighbour known to the system, each mentioned in
    notes by name, identifier, address and phone number."""
    home = Address.objects.create(
        person=child, line1="12 Orchard Way", town="Exampleton", postcode="ZZ1 1ZZ", start_date=dt.date(2015, 1, 1)
    )
    mother = PersonFactory(first_name="Marigold", last_name="Quenby")
    RelationshipFactory(person=mother, relative=child)
    Address.objects.create(
        person=mother, line1="7 Larch Close", town="Exampleton", postcode="ZZ9 9ZZ", start_date=dt.date(2019, 1, 1)
    )
    TelephoneNumber.objects.create(person=mother, kind="mobile", number="07700 900481")
    sibling = ChildFactory(first_name="Rowan", last_name=child.last_name)
    RelationshipFactory(person=sibling, relative=child, kind="sibling")
    Address.objects.create(
        person=sibling, line1=home.line1, town="Exampleton", postcode=home.postcode, start_date=dt.date(2015, 1, 1)
    )
    neighbour = PersonFactory(first_name="Thaddeus", last_name="Brackwater")
    TelephoneNumber.objects.create(person=neighbour, kind="home", number="01632 960123")
    Address.objects.create(
        person=neighbour, line1="3 Heron Row", town="Exampleton", postcode="ZZ4 4ZZ", start_date=dt.date(2010, 1, 1)
    )
    notes = [
        f"Visited {child.first_name} at home. Mum (Marigold Quenby) now lives at 7 Larch Close, ZZ9 9ZZ, "
        "mobile 07700 900481.",
        f"Neighbour thaddeus BRACKWATER of 3 Heron Row (ZZ4 4ZZ, tel 01632 960123) raised concerns; "
        f"sibling {sibling.first_name} {sibling.last_name} ({sibling.la_child_id}) was present.",
        f"NHS number of the neighbour given as {neighbour.nhs_number}; mother's UPN none.",
    ]
    for i, body in enumerate(notes):
        CaseNote.objects.create(
            child=child, recorded_by=worker, note_date=dt.date(2020, 3, 1 + i), subject=f"Note {i}", body=body
        )
    CaseNote.objects.create(
        child=child,
        recorded_by=worker,
        note_date=dt.date(2021, 5, 5),
        subject="Call from a relative",
        body="PASSAGE-FLAGGED-THIRD-PARTY what the aunt said about her own health",
        third_party=True,
    )
    ChronologyEntry.objects.create(
        child=child,
        recorded_by=worker,
        entry_date=dt.date(2019, 6, 1),
        title="Moved home",
        detail="Moved to Orchard Way",
    )
    AgencyInformation.objects.create(
        person=child,
        agency="Exampleton Primary",
        summary="CANARY-SCHOOL attendance 92%",
        received_on=dt.date(2022, 1, 1),
    )
    record_event(actor=Actor.from_user(worker), action="person.view", subject_person_id=child.pk)
    return {"mother": mother, "sibling": sibling, "neighbour": neighbour}
