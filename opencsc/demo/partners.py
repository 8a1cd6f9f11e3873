"""The demo borough's partner portal users (issue 16): the partner persona works for the police's
public protection unit (the organisation the MASH asks first) as its portal administrator, and a
health visitor uses the portal for the health visiting service. Synthetic names; the persona's
password. Called inside the seed's transaction, after the agency register is seeded."""

from __future__ import annotations

from opencsc.accounts.models import Role, Team, TeamKind, User
from opencsc.audit.services import Actor
from opencsc.sharing.models import Agency, PartnerMembership
from opencsc.sharing.portal_services import partner_member_add

POLICE = "Exampleton Constabulary Public Protection Unit"
HEALTH = "Exampleton Health Visiting Service"
# (username, first, last, agency, organisation administrator)
PORTAL_USERS = [
    ("partner.demo", "Pat", "Partner", POLICE, True),
    ("hv.demo", "Harriet", "Visitor", HEALTH, True),
]


def seed_partner_users(password_hash: str) -> int:
    """Bind the partner persona (and a second, health, portal user) to their organisations."""
    actor = Actor.system("seed_demo")
    added = 0
    for username, first, last, agency_name, admin in PORTAL_USERS:
        agency = Agency.objects.filter(name=agency_name).first()
        if agency is None:
            continue
        user = User.objects.filter(username=username).first()
        if user is None:
            team, _ = Team.objects.get_or_create(name=agency_name, defaults={"kind": TeamKind.PARTNER})
            user = User.objects.create(
                username=username,
                first_name=first,
                last_name=last,
                role=Role.PARTNER,
                team=team,
                email=f"{username}@exampleton.example",
                job_title=Role.PARTNER.label,
                password=password_hash,
            )
        if not PartnerMembership.objects.filter(user=user).exists():
            partner_member_add(actor=actor, added_by=None, user=user, agency=agency, is_org_admin=admin)
            added += 1
    return added


# (code, name, what they do, categories, purposes, sub-processors, at the end)
PROCESSORS = [
    (
        "emergency-duty-team",
        "Exampleton Out of Hours Social Care Service",
        "Answers the front door's calls out of hours and records contacts in the service for the council",
        ["name", "address", "date_of_birth", "phone", "referral", "relationships"],
        ["support-and-protect"],
        "",
        "return",
    ),
    (
        "family-support-provider",
        "Brightstart Family Support (commissioned)",
        "Delivers family support work commissioned by the council for the children referred to it",
        ["name", "address", "date_of_birth", "phone", "referral", "health"],
        ["support-and-protect"],
        "",
        "return",
    ),
    (
        "hosting-supplier",
        "Example Cloud Hosting Ltd",
        "Hosts the service's servers and backups in UK data centres; no access to the content",
        ["name", "address", "date_of_birth", "referral", "health", "criminal"],
        ["support-and-protect", "children-in-care"],
        "Example Backup Storage Ltd (encrypted backups, UK)",
        "delete",
    ),
]


def seed_processors() -> int:
    """A synthetic register of processors (Art 28) for the demo borough. Idempotent."""
    import datetime as dt

    from opencsc.privacy.models import Category, Processor, Purpose

    added = 0
    for code, name, subject, categories, purposes, subs, end in PROCESSORS:
        processor, created = Processor.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "subject_matter": subject,
                "contract_reference": f"CT-{code[:6].upper()}-2024",
                "contract_start": dt.date(2024, 4, 1),
                "contract_end": dt.date(2027, 3, 31),
                "sub_processors": subs,
                "end_of_contract": end,
                "public_description": subject,
            },
        )
        if created:
            processor.categories.set(Category.objects.filter(code__in=categories))
            processor.purposes.set(Purpose.objects.filter(code__in=purposes))
            added += 1
    return added
