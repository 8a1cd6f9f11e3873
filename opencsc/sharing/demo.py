"""A synthetic agency register for the demo borough: at least one agency of every recipient type in
the processing register, with synthetic contacts, the channel each uses, and a sharing agreement per
recipient type. Every name, address and mailbox is invented (example.org/.example domains).
Idempotent: running it twice changes nothing."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from opencsc.privacy.models import Category, LawfulBasis, Purpose, RecipientType
from opencsc.sharing.models import Agency, AgencyContact, Channel, SharingAgreement

E, P, M, POST = Channel.SECURE_EMAIL, Channel.PORTAL, Channel.MESH, Channel.POST

# recipient type -> [(agency name, channel)]
AGENCIES: dict[str, list[tuple[str, str]]] = {
    "health": [("Exampleton Health Visiting Service", E), ("Riverside Medical Practice", E)],
    "hospital": [("Exampleton General Hospital", E)],
    "police": [("Exampleton Constabulary Public Protection Unit", E)],
    "youth-justice": [("Exampleton Youth Justice Service", E)],
    "probation": [("Probation Service, Exampleton Office", E)],
    "housing": [("Exampleton Council Housing Options", E), ("Riverside Homes Housing Association", E)],
    "other-la": [("Borough of Sampleford Children's Services", E)],
    "elected-representative": [("Office of the MP for Exampleton Central", POST)],
    "advocacy": [("Exampleton Children's Advocacy Service", E)],
    "independent-visitor": [("Exampleton Independent Visitor Scheme", E)],
    "mentor": [("Bridges Mentoring Trust", E)],
    "guardian": [("Children's Guardian Panel (Exampleton)", E)],
    "legal": [("Exampleton Council Legal Services", E), ("Example & Co Family Solicitors", E)],
    "lado": [("Exampleton LADO", E)],
    "family-centre": [("Northgate Family Hub", E)],
    "contact-centre": [("Exampleton Child Contact Centre", E)],
    "placement-provider": [("Oakview Children's Home", P)],
    "fostering-agency": [("Hearth Fostering Agency", P)],
    "ofsted": [("Ofsted (Social Care Inspection)", P)],
    "dwp": [("DWP Exampleton Jobcentre Plus", POST)],
    "cica": [("Criminal Injuries Compensation Authority (claims)", P)],
    "registry-office": [("Exampleton Register Office", POST)],
    "passport-office": [("HM Passport Office (applications)", POST)],
    "cafcass": [("Cafcass (Exampleton team)", E)],
    "private-psychology": [("Example Child Psychology Practice", E)],
    "independent-social-worker": [("Independent Social Work Associates (Example)", E)],
    "education": [("Exampleton Virtual School", E), ("Exampleton Primary Academy", E)],
    "overseas": [("Child Protection Authority of Exampleland (overseas)", POST)],
}

_CORE = ["name", "address", "date_of_birth", "relationships", "referral"]
_HEALTH_BASIS = ("art6-1e-public-task", "art9-2h-sch1-p2-health-social-care", "art10-sch1-p2-health-social-care")
_SAFEGUARD_BASIS = ("art6-1e-public-task", "art9-2g-sch1-p18-safeguarding", "art10-sch1-p18-safeguarding")
_COURT_BASIS = ("art6-1c-legal-obligation", "art9-2f-legal-claims", "art10-sch1-p33-legal-claims")

# recipient type -> (categories, purposes, (basis, art 9 condition, art 10 condition))
AGREEMENTS: dict[str, tuple[list[str], list[str], tuple[str, str, str]]] = {
    "health": ([*_CORE, "nhs_number", "health", "phone"], ["support-and-protect", "children-in-care"], _HEALTH_BASIS),
    "hospital": ([*_CORE, "nhs_number", "health"], ["support-and-protect"], _HEALTH_BASIS),
    "police": (
        [*_CORE, "criminal", "other_agencies", "social_media"],
        ["support-and-protect", "crime"],
        _SAFEGUARD_BASIS,
    ),
    "youth-justice": ([*_CORE, "criminal", "school", "health"], ["support-and-protect", "crime"], _SAFEGUARD_BASIS),
    "probation": ([*_CORE, "criminal"], ["support-and-protect", "crime"], _SAFEGUARD_BASIS),
    "housing": ([*_CORE, "phone", "financial", "benefits"], ["support-and-protect"], _SAFEGUARD_BASIS),
    "other-la": (
        [*_CORE, "nhs_number", "health", "ethnicity", "school", "upn", "criminal", "other_agencies"],
        ["support-and-protect", "children-in-care"],
        _HEALTH_BASIS,
    ),
    "elected-representative": (
        ["name", "address", "referral"],
        ["representation"],
        ("art6-1a-consent", "art9-2g-sch1-p24-elected-representatives", ""),
    ),
    "advocacy": (
        ["name", "date_of_birth", "contact_details", "referral"],
        ["support-and-protect", "children-in-care"],
        _HEALTH_BASIS,
    ),
    "independent-visitor": (["name", "date_of_birth", "address"], ["children-in-care"], _HEALTH_BASIS),
    "mentor": (["name", "date_of_birth", "phone", "school"], ["children-in-care"], _HEALTH_BASIS),
    "guardian": ([*_CORE, "health", "criminal", "other_agencies", "school"], ["courts"], _COURT_BASIS),
    "legal": ([*_CORE, "health", "criminal", "other_agencies", "school", "ethnicity"], ["courts"], _COURT_BASIS),
    "lado": ([*_CORE, "criminal", "other_agencies"], ["support-and-protect"], _SAFEGUARD_BASIS),
    "family-centre": (
        ["name", "address", "date_of_birth", "phone", "relationships"],
        ["support-and-protect"],
        _HEALTH_BASIS,
    ),
    "contact-centre": (["name", "date_of_birth", "relationships"], ["children-in-care"], _HEALTH_BASIS),
    "placement-provider": ([*_CORE, "health", "school", "phone", "ethnicity"], ["children-in-care"], _HEALTH_BASIS),
    "fostering-agency": ([*_CORE, "health", "school", "ethnicity"], ["children-in-care"], _HEALTH_BASIS),
    "ofsted": (
        [*_CORE, "health", "ethnicity"],
        ["statutory-returns"],
        ("art6-1c-legal-obligation", "art9-2g-sch1-p6-statutory-purposes", ""),
    ),
    "dwp": (["name", "address", "date_of_birth", "benefits", "financial"], ["children-in-care"], _HEALTH_BASIS),
    "cica": (
        ["name", "date_of_birth", "address", "referral", "criminal", "health"],
        ["children-in-care"],
        _HEALTH_BASIS,
    ),
    "registry-office": (["name", "date_of_birth", "relationships"], ["children-in-care"], _HEALTH_BASIS),
    "passport-office": (["name", "date_of_birth", "address", "relationships"], ["children-in-care"], _HEALTH_BASIS),
    "cafcass": ([*_CORE, "health", "criminal", "other_agencies", "school"], ["courts"], _COURT_BASIS),
    "private-psychology": ([*_CORE, "health", "school"], ["support-and-protect", "children-in-care"], _HEALTH_BASIS),
    "independent-social-worker": ([*_CORE, "health", "criminal", "other_agencies"], ["courts"], _COURT_BASIS),
    "education": ([*_CORE, "school", "upn", "health"], ["support-and-protect", "children-in-care"], _HEALTH_BASIS),
    "overseas": (["name", "date_of_birth", "relationships", "referral"], ["support-and-protect"], _SAFEGUARD_BASIS),
}

DEMO_AGREEMENTS_FROM = dt.date(2024, 4, 1)


def _slug(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())[:24]


@transaction.atomic
def seed_agencies() -> int:
    """Create the synthetic agencies, contacts and agreements that are missing; returns how many
    agencies exist afterwards. Needs the processing register (privacy migrations) in place."""
    types = {t.code: t for t in RecipientType.objects.all()}
    for code, agencies in AGENCIES.items():
        if code not in types:
            continue
        for name, channel in agencies:
            agency, created = Agency.objects.get_or_create(
                name=name,
                defaults={
                    "recipient_type": types[code],
                    "channel": channel,
                    "channel_address": f"sharing@{_slug(name)}.example" if channel == Channel.SECURE_EMAIL else "",
                    "address": "1 Example Street, Exampleton, ZZ1 1ZZ",
                    "country": "Exampleland" if types[code].is_outside_uk else "United Kingdom",
                },
            )
            if created:
                AgencyContact.objects.create(
                    agency=agency,
                    name="Duty Officer",
                    job_title="Safeguarding lead",
                    email=f"duty@{_slug(name)}.example",
                    phone="01632 960000",  # Ofcom drama range: never a real number
                )
    for code, (categories, purposes, (basis, special, criminal)) in AGREEMENTS.items():
        if code in types:
            _agreement(types[code], categories, purposes, basis, special, criminal)
    return Agency.objects.count()


def _agreement(
    recipient_type: RecipientType, categories: list[str], purposes: list[str], basis: str, special: str, criminal: str
) -> None:
    reference = f"ISA-{recipient_type.code.upper()}"[:40]
    if SharingAgreement.objects.filter(reference=reference).exists():
        return
    cats = list(Category.objects.filter(code__in=categories))
    agreement = SharingAgreement.objects.create(
        reference=reference,
        name=f"Information sharing agreement: {recipient_type.name}",
        recipient_type=recipient_type,
        lawful_basis=LawfulBasis.objects.get(code=basis),
        special_condition=LawfulBasis.objects.get(code=special)
        if special and any(c.is_special_category for c in cats)
        else None,
        criminal_condition=LawfulBasis.objects.get(code=criminal)
        if criminal and any(c.is_criminal_offence for c in cats)
        else None,
        valid_from=DEMO_AGREEMENTS_FROM,
        dpia_reference=f"DPIA-{recipient_type.code.upper()}"[:40],
    )
    agreement.categories.set(cats)
    agreement.purposes.set(Purpose.objects.filter(code__in=purposes))
