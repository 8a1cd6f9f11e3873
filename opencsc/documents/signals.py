"""A stored file goes when the last row naming it goes (a disposal, ADR 0030, deletes the rows)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from opencsc.documents import storage
from opencsc.documents.models import Document


@receiver(post_delete, sender=Document)
def _remove_blob(sender: type[Document], instance: Document, **kwargs: Any) -> None:
    name = instance.blob

    def remove() -> None:
        if not Document.objects.filter(blob=name).exists():
            storage.delete(name)

    transaction.on_commit(remove)
