"""Model fields that encrypt their value before it reaches the database (see `core.crypto`)."""

from __future__ import annotations

from typing import Any

from django.db import models

from opencsc.core import crypto


class EncryptedTextField(models.TextField):
    """Text encrypted at rest with AES-GCM. The column holds only ciphertext, so the value cannot be
    filtered or ordered in SQL; search it through a blind index field instead."""

    encrypted = True

    def contribute_to_class(self, cls: type[models.Model], name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only)
        self._context = f"{cls._meta.label}.{name}"

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value), context=self._context)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return crypto.decrypt(value, context=self._context)

    def get_lookup(self, lookup_name: str) -> Any:
        # Equality would compare against a fresh ciphertext (random nonce) and never match.
        if lookup_name != "isnull":
            raise TypeError(f"{self._context} is encrypted and cannot be searched with '{lookup_name}'")
        return super().get_lookup(lookup_name)
