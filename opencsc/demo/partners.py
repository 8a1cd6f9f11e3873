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
