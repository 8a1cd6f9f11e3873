"""Issue, rotate or revoke a partner organisation's API key (ADR 0029). The key is printed once.

    manage.py partner_api_key issue --agency "Exampleton Constabulary Public Protection Unit" \\
        --label "Niche RMS" --scope checks:read --scope checks:answer
    manage.py partner_api_key rotate --prefix abcd2345ef --overlap-hours 24
    manage.py partner_api_key revoke --prefix abcd2345ef
    manage.py partner_api_key list
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from opencsc.audit.services import Actor
from opencsc.partners import credentials
from opencsc.partners.models import ApiCredential
from opencsc.sharing.models import Agency


class Command(BaseCommand):
    help = "Issue, rotate, revoke or list partner organisations' API keys"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["issue", "rotate", "revoke", "list"])
        parser.add_argument("--agency", help="The organisation's name in the agency register")
        parser.add_argument("--label", default="API", help="Which of their systems uses the key")
        parser.add_argument("--scope", action="append", default=[], help="checks:read, checks:answer, views:read")
        parser.add_argument("--prefix", help="The key's public prefix (rotate, revoke)")
        parser.add_argument("--overlap-hours", type=int, default=24)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = Actor.system("partner_api_key")
        try:
            if options["action"] == "issue":
                agency = Agency.objects.filter(name=options["agency"]).first()
                if agency is None:
                    raise CommandError(f"No agency called {options['agency']!r} in the agency register")
                issued, key = credentials.credential_issue(
                    actor=actor, agency=agency, label=options["label"], scopes=options["scope"]
                )
                self._show(issued, key)
            elif options["action"] == "list":
                for c in ApiCredential.objects.select_related("agency"):
                    state = (
                        "revoked" if c.revoked_at else f"ends {c.expires_at:%Y-%m-%d %H:%M}" if c.expires_at else "live"
                    )
                    self.stdout.write(f"{c.prefix}  {c.agency}  {c.label}  {' '.join(c.scopes)}  {state}")
            else:
                found = ApiCredential.objects.filter(prefix=options["prefix"]).first()
                if found is None:
                    raise CommandError(f"No API key with prefix {options['prefix']!r}")
                credential = found
                if options["action"] == "revoke":
                    credentials.credential_revoke(actor=actor, credential=credential)
                    self.stdout.write(f"Revoked {credential.prefix}: its next request is refused")
                else:
                    fresh, key = credentials.credential_rotate(
                        actor=actor, credential=credential, overlap_hours=options["overlap_hours"]
                    )
                    self._show(fresh, key)
                    self.stdout.write(
                        f"The old key {credential.prefix} works until {credential.expires_at:%Y-%m-%d %H:%M}"
                    )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc

    def _show(self, credential: ApiCredential, key: str) -> None:
        self.stdout.write(f"API key for {credential.agency} ({', '.join(credential.scopes)}), shown once:\n{key}")
