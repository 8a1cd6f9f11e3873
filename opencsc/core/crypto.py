"""Field encryption (AES-256-GCM from `cryptography`) with key ids, rotation and blind indexes.

Ciphertext format: ``v1:<key id>:<base64(nonce || ciphertext+tag)>``. The associated data binds a
ciphertext to its column ("people.Person.ethnicity"), so a value copied into another column does not
decrypt, and any flipped bit fails authentication. Keys come from settings (the environment), never
from the database: ``OPENCSC_FIELD_KEYS="k2:<base64 32 bytes>,k1:<...>"`` — the first key encrypts,
every listed key decrypts, and `manage.py rotate_field_keys` re-encrypts old rows (and, through
`ROTATIONS`, the documents' files) under the first.
Why this and not an off-the-shelf Django field package: see docs/adr/0004-field-encryption.md.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "v1"


class DecryptionError(Exception):
    """A stored value did not authenticate: wrong key, wrong column, or tampered ciphertext."""


@dataclass(frozen=True)
class KeyRing:
    primary_id: str
    keys: dict[str, AESGCM]


def _decode_key(kid: str, b64: str) -> bytes:
    raw = base64.b64decode(b64)
    if len(raw) != 32:
        raise ImproperlyConfigured(f"Field key {kid!r} must be 32 bytes (base64), not {len(raw)}")
    return raw


@cache
def _keyring(spec: str) -> KeyRing:
    keys: dict[str, AESGCM] = {}
    order: list[str] = []
    for item in spec.split(","):
        kid, _, b64 = item.strip().partition(":")
        if not kid or not b64 or ":" in kid:
            raise ImproperlyConfigured("OPENCSC_FIELD_KEYS must look like 'kid:base64key,kid:base64key'")
        keys[kid] = AESGCM(_decode_key(kid, b64))
        order.append(kid)
    return KeyRing(primary_id=order[0], keys=keys)


def keyring() -> KeyRing:
    return _keyring(settings.OPENCSC_FIELD_KEYS)


# What apps encrypt with the key ring outside encrypted fields (the documents' files): each a callable
# that re-encrypts its part under the primary key and returns {what: how many}. `rotate_field_keys`
# runs them after the fields; apps register theirs in `AppConfig.ready` (core imports no app).
ROTATIONS: list[Callable[[], dict[str, int]]] = []


def register_rotation(rotation: Callable[[], dict[str, int]]) -> None:
    if rotation not in ROTATIONS:
        ROTATIONS.append(rotation)


def encrypt(plaintext: str, *, context: str) -> str:
    ring = keyring()
    nonce = os.urandom(12)
    sealed = ring.keys[ring.primary_id].encrypt(nonce, plaintext.encode("utf-8"), context.encode())
    return f"{PREFIX}:{ring.primary_id}:{base64.b64encode(nonce + sealed).decode('ascii')}"


def key_id_of(token: str) -> str:
    return token.split(":", 2)[1]


def decrypt(token: str, *, context: str) -> str:
    try:
        prefix, kid, b64 = token.split(":", 2)
    except ValueError as exc:
        raise DecryptionError("Not an openCSC ciphertext") from exc
    if prefix != PREFIX:
        raise DecryptionError(f"Unknown ciphertext version {prefix!r}")
    key = keyring().keys.get(kid)
    if key is None:
        raise DecryptionError(f"Key {kid!r} is not configured (was it removed before rotation finished?)")
    blob = base64.b64decode(b64)
    try:
        return key.decrypt(blob[:12], blob[12:], context.encode()).decode("utf-8")
    except InvalidTag as exc:
        raise DecryptionError(f"Ciphertext for {context} failed authentication") from exc


def blind_index(value: str, *, purpose: str) -> str:
    """Keyed hash for exact-match search of an encrypted value. Keyed because an NHS number has only
    about a billion possible values: an unkeyed hash could be reversed by trying them all."""
    key = base64.b64decode(str(settings.OPENCSC_BLIND_INDEX_KEY))
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()
