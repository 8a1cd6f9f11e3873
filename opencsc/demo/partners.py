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


# Requests for support the demo's partners sent through the portal (synthetic children and words):
# (portal user, first, last, born, postcode, concern, why now, the front door's decision or "")
PARTNER_REQUESTS = [
    (
        "hv.demo",
        "Poppy",
        "Examplechild",
        (2023, 6, 11),
        "ZZ4 4ZZ",
        "Mother low in mood and not feeding the baby regularly; the flat is cold.",
        "Mother told me today she cannot cope.",
        "advice",
    ),
    (
        "partner.demo",
        "Jayden",
        "Sampleson",
        (2014, 11, 2),
        "ZZ5 5ZZ",
        "Officers attended a domestic incident at the home; the child was present.",
        "Third incident at the address this year.",
        "",
    ),
]


def seed_partner_requests(day: object = None) -> str:
    """Two requests for support through the portal: the health visitor's (decided by the MASH
    persona, with the outcome told back) and the police persona's (waiting in the MASH queue)."""
    import datetime as dt

    from opencsc.casework import services as cs
    from opencsc.sharing.portal_selectors import caller_for_user
    from opencsc.sharing.portal_services import partner_referral_submit

    mash = User.objects.get(username="mash.demo")
    sent = 0
    for username, first, last, born, postcode, concern, why_now, decision in PARTNER_REQUESTS:
        user = User.objects.get(username=username)
        caller = caller_for_user(user)
        if caller is None:
            continue
        referral = partner_referral_submit(
            caller=caller,
            actor=Actor.from_user(user),
            data={
                "child_first_name": first,
                "child_last_name": last,
                "child_date_of_birth": dt.date(*born),
                "address_line1": "1 Example Row",
                "address_town": "Exampleton",
                "address_postcode": postcode,
                "concern": concern,
                "why_now": why_now,
                "consent_given": True,
                "family_told": "That I am asking the council's front door for help",
                "referrer_name": user.get_full_name(),
                "referrer_role": "Health visitor" if username == "hv.demo" else "Police constable",
                "referrer_phone": "01632 960100",
                "referrer_email": user.email or f"{username}@exampleton.example",
            },
        )
        sent += 1
        if decision:
            actor = Actor.from_user(mash)
            cs.contact_take(actor_user=mash, actor=actor, contact=referral.contact)
            cs.contact_decide(
                actor_user=mash,
                actor=actor,
                contact=referral.contact,
                decision=decision,
                decision_date=referral.contact.contact_date,
                rationale="Advice to the health visitor on support for the mother; no role for social care now",
                referrer_outcome="Advice given to the health visitor; the mother was offered perinatal support",
            )
    return f"{sent} requests for support from partners"


PROCESSOR_STAFF = ("brightstart.demo", "Bri", "Start", "family-support-provider")


def seed_processor_staff(day: object = None) -> str:
    """The commissioned family-support provider's worker (a processor's staff, Art 28), who sees only
    the case the team manager persona contracted to the provider: one child of their team."""
    from opencsc.accounts import access
    from opencsc.accounts.models import Allocation, AllocationKind
    from opencsc.privacy.models import Processor
    from opencsc.privacy.services import processor_case_contract

    username, first, last, code = PROCESSOR_STAFF
    processor = Processor.objects.get(code=code)
    manager = User.objects.get(username="tm.demo")
    if processor.team is None:
        processor.team = Team.objects.create(name=processor.name[:120], kind=TeamKind.PROCESSOR)
        processor.save(update_fields=["team"])
    if not User.objects.filter(username=username).exists():
        User.objects.create(
            username=username,
            first_name=first,
            last_name=last,
            role=Role.SOCIAL_WORKER,
            team=processor.team,
            email=f"{username}@brightstart.example",
            job_title="Family support worker (commissioned provider)",
            password=manager.password,
        )
    child_ids = (
        Allocation.objects.current()
        .filter(team=manager.team, kind=AllocationKind.ALLOCATED_WORKER, person__is_child=True)
        .order_by("person_id")
        .values_list("person_id", flat=True)
    )
    child = next((pk for pk in child_ids if access.can_change_person(manager, pk)), None)
    if child is None:
        return "no child to contract"
    from opencsc.people.models import Person

    processor_case_contract(
        actor_user=manager, actor=Actor.from_user(manager), processor=processor, person=Person.objects.get(pk=child)
    )
    return f"{username} works on one contracted case for {processor.name}"


def _incident_log_pdf(lines: list[str]) -> bytes:
    """A one-page PDF of typed lines (Pillow draws and saves it): what a force's system exports."""
    import io

    from PIL import Image, ImageDraw

    page = Image.new("RGB", (595, 842), "white")
    draw = ImageDraw.Draw(page)
    for row, line in enumerate(lines):
        draw.text((48, 56 + 22 * row), line, fill="black")
    out = io.BytesIO()
    page.save(out, format="PDF")
    return out.getvalue()


def seed_police_answer_with_document(day: object = None) -> str:
    """The MASH persona asks the police (through the portal) about a child whose contact is in
    triage; the partner persona answers and attaches the force's incident log (a synthetic PDF): the
    answer and its document are on the child's MASH page, through the access check."""
    from opencsc.casework.models import Contact
    from opencsc.documents.services import document_attach
    from opencsc.sharing.portal_selectors import caller_for_user
    from opencsc.sharing.portal_services import check_answer_as, check_send

    mash = User.objects.get(username="mash.demo")
    police = Agency.objects.get(name=POLICE)
    contact = Contact.objects.filter(child__first_name="Ava", child__last_name="Quinn", triage__isnull=False).first()
    caller = caller_for_user(User.objects.get(username="partner.demo"))
    if contact is None or caller is None:
        raise LookupError("no triaged contact for Ava Quinn, or no police portal user")
    request = check_send(
        actor_user=mash,
        actor=Actor.from_user(mash),
        contact=contact,
        agency=police,
        urgency="amber",
        question="Any police information about the household, and any call-outs to the address?",
    )
    actor = Actor.from_user(caller.user)
    check_answer_as(
        caller=caller,
        actor=actor,
        request=request,
        summary="Two call-outs to the address this year (noise, a verbal argument); no arrests. Log attached.",
    )
    pdf = _incident_log_pdf(
        [
            "Exampleton Constabulary - incident log extract (SYNTHETIC DEMO DATA)",
            "Address: 14 Example Row, Exampleton",
            "03/02: noise complaint, officers attended, words of advice",
            "19/06: verbal argument reported by a neighbour, no offences disclosed",
        ]
    )
    document = document_attach(
        caller=caller, actor=actor, data=pdf, filename="incident-log-extract.pdf", check_request=request
    )
    return f"police answered {request.reference} with {document.filename}"
