from __future__ import annotations

from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "opencsc.documents"
    label = "documents"
    verbose_name = "Documents: partners' attachments, checked, encrypted and served through the access check"

    def ready(self) -> None:
        from opencsc.documents import events, signals  # noqa: F401  (signals: remove a blob with its last row)

        events.register_all()
        from opencsc.core.crypto import register_rotation
        from opencsc.documents.services import documents_rotate_keys

        register_rotation(documents_rotate_keys)
