from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from opencsc.accounts.models import Role
from opencsc.demo.borough import DEMO_PASSWORD, PERSONAS


class Command(BaseCommand):
    help = "Print the demo personas' sign-in details (demo mode only)."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.OPENCSC_ENVIRONMENT == "production":
            raise CommandError("There are no demo logins in production")
        port = os.environ.get("PORT", "8000")
        self.stdout.write(f"\nDemo borough ready at http://127.0.0.1:{port}/ — sign in as any of these")
        self.stdout.write(f"(password for all: {DEMO_PASSWORD}; second factor switched off in demo mode):\n")
        for username, first, last, role, team in PERSONAS:
            self.stdout.write(f"  {username:<14} {first} {last}, {Role(role).label}, {team}")
        self.stdout.write("")
