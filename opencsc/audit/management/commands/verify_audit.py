from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from opencsc.audit import chain
from opencsc.audit.models import AuditEvent
from opencsc.audit.services import Actor, record_event


class Command(BaseCommand):
    help = "Check the audit chain and its anchors; report the first broken link. Exit 1 if broken."

    def handle(self, *args: Any, **options: Any) -> None:
        anchors = chain.read_anchors()
        count = AuditEvent.objects.count()
        broken = chain.verify_rows(chain.iter_rows(AuditEvent.objects.all()), anchors)
        if broken is not None:
            raise CommandError(f"Audit chain BROKEN at {broken}")
        self.stdout.write(f"Audit chain intact: {count} events, {len(anchors)} anchors checked.")
        record_event(actor=Actor.system("verify_audit"), action="audit.verify", detail={"events": count})
