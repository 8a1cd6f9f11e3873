"""The kinds of information that hang off a person's record, one per form on the record page."""

from __future__ import annotations

from dataclasses import dataclass

from opencsc.core.categories import DataCategory as C
from opencsc.people import models as m


@dataclass(frozen=True)
class PartKind:
    slug: str
    model: type[m.PersonPart]
    fields: tuple[str, ...]
    title: str
    category: C


PART_KINDS: dict[str, PartKind] = {
    kind.slug: kind
    for kind in (
        PartKind("other-name", m.PersonName, ("kind", "first_name", "last_name"), "Other name", C.NAME),
        PartKind(
            "address", m.Address, ("line1", "line2", "town", "postcode", "start_date", "end_date"), "Address", C.ADDRESS
        ),
        PartKind("telephone", m.TelephoneNumber, ("kind", "number", "note"), "Telephone number", C.PHONE),
        PartKind("contact", m.ContactDetail, ("kind", "value"), "Contact detail", C.CONTACT_DETAILS),
        PartKind(
            "alert",
            m.PersonAlert,
            ("kind", "detail", "start_date", "end_date"),
            "Alert (risk to staff, interpreter)",
            C.CONTACT_DETAILS,
        ),
        PartKind(
            "relationship",
            m.Relationship,
            ("relative", "kind", "has_parental_responsibility", "lives_with", "start_date", "end_date", "note"),
            "Relationship",
            C.RELATIONSHIPS,
        ),
        PartKind("disability", m.Disability, ("code",), "Disability", C.HEALTH),
        PartKind(
            "health", m.HealthInformation, ("kind", "summary", "recorded_on", "source"), "Health information", C.HEALTH
        ),
        PartKind(
            "school", m.SchoolEnrolment, ("school_name", "school_urn", "start_date", "end_date"), "School", C.SCHOOL
        ),
        PartKind("financial", m.FinancialInformation, ("summary", "recorded_on"), "Financial information", C.FINANCIAL),
        PartKind(
            "benefit", m.StateBenefit, ("benefit", "reference", "start_date", "end_date"), "State benefit", C.BENEFITS
        ),
        PartKind(
            "police",
            m.PoliceInformation,
            ("kind", "summary", "source", "recorded_on"),
            "Police information",
            C.CRIMINAL,
        ),
        PartKind(
            "social-media",
            m.SocialMediaInformation,
            ("platform", "summary", "source", "seen_on"),
            "Information seen on social media",
            C.SOCIAL_MEDIA,
        ),
        PartKind(
            "agency",
            m.AgencyInformation,
            ("agency", "summary", "received_on"),
            "Information from another agency",
            C.OTHER_AGENCIES,
        ),
    )
}


def kinds_for_category(category: C) -> list[PartKind]:
    return [kind for kind in PART_KINDS.values() if kind.category == category]
