"""Add a partner-agency practitioner bound to one organisation of the agency register, and print the
one-time enrolment code they need to set up their authenticator app (the second factor is always on).

    manage.py partner_user_add --username j.smith.police --first-name Jo --last-name Smith \\
        --email jo.smith@police.example --agency "Exampleton Constabulary Public Protection Unit" [--org-admin]

The user sets their password through the usual reset route; until they enrol their app, the password
alone reaches nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from opencsc.accounts import mfa
from opencsc.accounts.models import Role, Team, TeamKind, User
from opencsc.audit.services import Actor
from opencsc.sharing.models import Agency
from opencsc.sharing.portal_services import partner_member_add


class Command(BaseCommand):
    help = "Add a partner-agency user bound to one organisation, and print their enrolment code"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--first-name", required=True)
        parser.add_argument("--last-name", required=True)
        parser.add_argument("--email", required=True)
        parser.add_argument("--agency", required=True, help="The organisation's name in the agency register")
        parser.add_argument("--org-admin", action="store_true", help="The organisation's administrator")

    def handle(self, *args: Any, **options: Any) -> None:
        agency = Agency.objects.filter(name=options["agency"], is_active=True).first()
        if agency is None:
            raise CommandError(f"No active agency called {options['agency']!r} in the agency register")
        if User.objects.filter(username=options["username"]).exists():
            raise CommandError(f"The username {options['username']!r} is taken")
        actor = Actor.system("partner_user_add")
        try:
            with transaction.atomic():
                team, _ = Team.objects.get_or_create(name=agency.name[:120], defaults={"kind": TeamKind.PARTNER})
                user = User(
                    username=options["username"],
                    first_name=options["first_name"],
                    last_name=options["last_name"],
                    email=options["email"],
                    role=Role.PARTNER,
                    team=team,
                    job_title=Role.PARTNER.label,
                )
                user.set_unusable_password()
                user.save()
                partner_member_add(
                    actor=actor, added_by=None, user=user, agency=agency, is_org_admin=options["org_admin"]
                )
                code = mfa.enrolment_code_issue(actor=actor, issued_by=None, user=user)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"{user.username} now works for {agency} in the partner portal.")
        self.stdout.write(f"Enrolment code for their authenticator app (shown once): {code}")
