"""Pseudonymising an SSD row: a keyed hash for keys, month for births, district for postcodes, and
nothing for names, identifiers and free text.

The keyed hash is HMAC-SHA256 with the council's secret (`OPENCSC_SSD_PSEUDONYM_KEY`) over the
entity and the record's key ("person:123"), cut to 24 hex characters (96 bits: no collision in any
borough's lifetime of records). Without the secret a pseudonym cannot be turned back into a record
nor made from one (a plain hash of small integers could be reversed by trying them all); with the same
secret the same child gets the same pseudonym every run, so a pooled series can follow a child over
years; with another council's secret the pseudonyms differ.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from typing import Any

from django.conf import settings

from opencsc.people.matching.normalise import postcode_district
from opencsc.standard_data.ssd.schema import TABLES, Kind

PSEUDONYM_LENGTH = 24


class NoPseudonymKey(Exception):
    """The pseudonymised export needs the council's secret, and there is none."""


def secret_from_settings() -> bytes:
    value = str(getattr(settings, "OPENCSC_SSD_PSEUDONYM_KEY", "") or "")
    if len(value) < 16:
        raise NoPseudonymKey(
            "Set OPENCSC_SSD_PSEUDONYM_KEY (at least 16 characters, kept secret and stable) "
            "to produce the pseudonymised Standard Safeguarding Dataset"
        )
    return value.encode("utf-8")


def keyed_hash(secret: bytes, entity: str, key: Any) -> str:
    digest = hmac.new(secret, f"{entity}:{key}".encode(), hashlib.sha256).hexdigest()
    return digest[:PSEUDONYM_LENGTH]


class Hasher:
    """`keyed_hash` for one secret, with the key schedule done once and each pseudonym made once
    (a child's id appears in most tables): the same values, several times faster."""

    def __init__(self, secret: bytes) -> None:
        self._base = hmac.new(secret, digestmod=hashlib.sha256)
        self._seen: dict[tuple[str, str], str] = {}

    def __call__(self, entity: str, key: Any) -> str:
        memo = (entity, str(key))
        found = self._seen.get(memo)
        if found is None:
            mac = self._base.copy()
            mac.update(f"{entity}:{key}".encode())
            found = self._seen[memo] = mac.hexdigest()[:PSEUDONYM_LENGTH]
        return found


def _month(value: Any) -> str:
    text = str(value or "")
    return text[:7] if len(text) >= 7 else ""


def transformer(table: str, secret: bytes, hasher: Hasher | None = None) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A function turning one identifiable row of `table` into its pseudonymised row. Pass one
    `Hasher` for a whole export so each pseudonym is computed once (it is dropped with the export)."""
    cols = TABLES[table]
    hasher = hasher or Hasher(secret)

    def apply(row: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for col in cols:
            value = row.get(col.name, "")
            if col.kind in (Kind.PERSON, Kind.KEY):
                out[col.name] = hasher(col.entity, value) if value not in ("", None) else ""
            elif col.kind in (Kind.IDENTIFIER, Kind.FREE_TEXT):
                out[col.name] = ""
            elif col.kind is Kind.BIRTH:
                out[col.name] = _month(value)
            elif col.kind is Kind.POSTCODE:
                out[col.name] = postcode_district(str(value or ""))
            else:
                out[col.name] = value
        return out

    return apply
