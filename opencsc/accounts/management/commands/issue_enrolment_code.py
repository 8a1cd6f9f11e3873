from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from opencsc.accounts import mfa
from opencsc.accounts.models import User
from opencsc.audit.services import Actor


class Command(BaseCommand):
    help = (
        "Issue a single-use authenticator-app enrolment code for USERNAME (audited). For the first "
        "administrator, who has nobody to issue one; afterwards use the Sign-in set-up page."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user {options['username']!r}")
        try:
            code = mfa.enrolment_code_issue(actor=Actor.system("issue_enrolment_code"), issued_by=None, user=user)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"Enrolment code for {user.get_username()} (works once): {code}")
