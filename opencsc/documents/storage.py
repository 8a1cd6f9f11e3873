"""The documents' bytes on disk: outside the web root, encrypted, under names that reveal nothing.

* Where: `OPENCSC_DOCUMENTS_DIR` (default `var/documents` of the installation; never under static or
  media, which the web server serves). Files are created 0600.
* Names: an HMAC (the blind-index key) of the content's SHA-256, so the same file sent twice is stored
  once, and someone with the directory but not the key cannot confirm that a known file is there.
* Encryption: AES-256-GCM with the field-encryption key ring (`core.crypto`), the associated data
  binding the ciphertext to its name (a file copied under another name does not decrypt). Layout:
  ``OCSCDOC1 | key id length (1 byte) | key id | nonce (12) | ciphertext+tag``.
* Key rotation (`reencrypt`, run by `manage.py rotate_field_keys`): a file is rewritten under the
  primary key beside the old one, flushed to disk, then renamed over it, so a reader (or a crash)
  finds either the whole old file or the whole new one, each readable while both keys are listed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from django.conf import settings

from opencsc.core import crypto

MAGIC = b"OCSCDOC1"


def root() -> Path:
    return Path(settings.OPENCSC_DOCUMENTS_DIR)


def name_for(data: bytes) -> str:
    key = base64.b64decode(str(settings.OPENCSC_BLIND_INDEX_KEY))
    return hmac.new(key, b"documents:" + hashlib.sha256(data).digest(), hashlib.sha256).hexdigest()


def _path(name: str) -> Path:
    if len(name) != 64 or not all(c in "0123456789abcdef" for c in name):
        raise ValueError("Not a document name")
    return root() / name[:2] / name


def exists(name: str) -> bool:
    return _path(name).exists()


def write(data: bytes) -> tuple[str, bool]:
    """Store `data` encrypted; its name, and whether this call created the file."""
    name = name_for(data)
    target = _path(name)
    if target.exists():
        return name, False
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    _seal_into(target, name, data)
    return name, True


def _seal_into(target: Path, name: str, data: bytes) -> None:
    """Encrypt under the primary key into a file beside `target`, flush it, rename it over `target`
    (atomic on POSIX) and flush the directory, so the name holds the old bytes or the new, never half."""
    ring = crypto.keyring()
    nonce = os.urandom(12)
    sealed = ring.keys[ring.primary_id].encrypt(nonce, data, name.encode())
    kid = ring.primary_id.encode()
    partial = target.with_suffix(f".{os.getpid()}.part")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(MAGIC + bytes([len(kid)]) + kid + nonce + sealed)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def key_of(name: str) -> str:
    """The id of the key the stored file is encrypted under (read from its header)."""
    with _path(name).open("rb") as stored:
        head = stored.read(len(MAGIC) + 1 + 255)
    if not head.startswith(MAGIC):
        raise crypto.DecryptionError("Not an openCSC document")
    size = head[len(MAGIC)]
    return head[len(MAGIC) + 1 : len(MAGIC) + 1 + size].decode()


def reencrypt(name: str) -> bool:
    """Rewrite the stored file under the primary key (atomically, see `_seal_into`); False if it was
    already under it. Raises `crypto.DecryptionError` if it cannot be read with the listed keys."""
    if key_of(name) == crypto.keyring().primary_id:
        return False
    _seal_into(_path(name), name, read(name))
    return True


def read(name: str) -> bytes:
    """The plaintext, or `crypto.DecryptionError` (wrong key, tampered, renamed)."""
    blob = _path(name).read_bytes()
    if not blob.startswith(MAGIC):
        raise crypto.DecryptionError("Not an openCSC document")
    size = blob[len(MAGIC)]
    start = len(MAGIC) + 1
    kid = blob[start : start + size].decode()
    key = crypto.keyring().keys.get(kid)
    if key is None:
        raise crypto.DecryptionError(f"Key {kid!r} is not configured")
    rest = blob[start + size :]
    try:
        return key.decrypt(rest[:12], rest[12:], name.encode())
    except InvalidTag as exc:
        raise crypto.DecryptionError("Document failed authentication") from exc


def delete(name: str) -> None:
    _path(name).unlink(missing_ok=True)
