from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from opencsc.audit.services import anchor_now


class Command(BaseCommand):
    help = "Append the audit chain's current head to the anchor file (schedule this, e.g. every minute)."

    def handle(self, *args: Any, **options: Any) -> None:
        head = anchor_now()
        self.stdout.write("No events yet." if head is None else f"Anchored seq {head[0]} {head[1]}")
