"""Settings for the test suite: the production settings module, with test keys and a fast hasher.

MFA stays on, so tests sign in the way a worker does (password, then a TOTP token)."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("OPENCSC_FIELD_KEYS", "test1:dGVzdC1vbmx5LWZpZWxkLWtleS0wMTIzNDU2Nzg5YWI=")
os.environ.setdefault("OPENCSC_BLIND_INDEX_KEY", "dGVzdC1vbmx5LWJsaW5kLWluZGV4LWtleS0wMTIzNDU=")
os.environ.setdefault("OPENCSC_AUDIT_HMAC_KEY", "dGVzdC1vbmx5LWF1ZGl0LWNoYWluLWtleS0wMTIzNDU=")
os.environ.setdefault("SECURE_SSL_REDIRECT", "False")
os.environ.setdefault("OPENCSC_ENVIRONMENT", "test")
os.environ.setdefault("OPENCSC_AUDIT_ANCHOR_FILE", os.path.join(tempfile.mkdtemp(prefix="opencsc-anchors-"), "a.log"))
os.environ.setdefault("OPENCSC_DOCUMENTS_DIR", tempfile.mkdtemp(prefix="opencsc-documents-"))

from opencsc.config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AXES_ENABLED = True
