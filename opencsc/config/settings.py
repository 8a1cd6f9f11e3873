"""openCSC settings. Everything that varies between installations comes from the environment;
every variable is documented in docs/configuration.md. Defaults are the safe ones: DEBUG off,
MFA on, secure cookies on, and no secret keys unless the demo mode (which refuses production) is on.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from opencsc.config.env import ConfigurationError, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEBUG = env_bool("DEBUG", False)
# DEMO_MODE relaxes what only a laptop demo may relax (MFA, fixed demo keys). It refuses to run with
# DEBUG off, so a production deployment cannot start with it by mistake.
DEMO_MODE = env_bool("OPENCSC_DEMO_MODE", False)
if DEMO_MODE and not DEBUG:
    raise ConfigurationError("OPENCSC_DEMO_MODE is for a local demo only and needs DEBUG=True")

_DEMO_ONLY_KEY = "demo-only-insecure-key-never-use-in-production-0123456789abcdef"
SECRET_KEY = env_str("SECRET_KEY") or (_DEMO_ONLY_KEY if DEBUG else None)
if not SECRET_KEY:
    raise ConfigurationError("SECRET_KEY must be set when DEBUG is off")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "opencsc.core",  # before crispy_forms_gds: core overrides a few of its templates
    "crispy_forms",
    "crispy_forms_gds",
    "rest_framework",
    "drf_spectacular",
    "opencsc.accounts",
    "opencsc.audit",
    "opencsc.people",
    "opencsc.privacy",
    "opencsc.sharing",
    "opencsc.casework",
    "opencsc.returns",
    "opencsc.cpis",
    "opencsc.home",
    "opencsc.rights",
    "opencsc.documents",
    "opencsc.partners",
    "opencsc.ops",
    "opencsc.standard_data",
    "opencsc.insight",
]
# Where this installation runs. "production" refuses demo data and personas.
OPENCSC_ENVIRONMENT = env_str("OPENCSC_ENVIRONMENT", "development" if DEBUG else "production")
if OPENCSC_ENVIRONMENT not in ("production", "staging", "development", "test"):
    raise ConfigurationError("OPENCSC_ENVIRONMENT must be production, staging, development or test")
if OPENCSC_ENVIRONMENT != "production":
    INSTALLED_APPS.append("opencsc.demo")

MIDDLEWARE = [
    "opencsc.core.middleware.ServerTimingMiddleware",  # first, so its total covers the whole stack
    "opencsc.ops.logs.TrustedProxyMiddleware",  # the client's address from the proxy, before anyone reads it
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "opencsc.core.middleware.RequestIdMiddleware",
    "opencsc.ops.logs.RequestLogMiddleware",  # inside RequestId, so its line carries the request id
    "csp.middleware.CSPMiddleware",
    "opencsc.core.error_pages.CouncilErrorPagesMiddleware",  # never Django's debug pages, even in the demo
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "opencsc.accounts.middleware.SecondFactorRequiredMiddleware",
    "opencsc.accounts.middleware.IdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "opencsc.core.middleware.NoStoreForSignedInMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "opencsc.config.urls"
WSGI_APPLICATION = "opencsc.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "opencsc.core.context_processors.service",
            ],
        },
    }
]

# SQLite is the embedded default; DATABASE_URL=postgres://... selects PostgreSQL (production).
_default_db = f"sqlite:///{env_str('SQLITE_PATH', str(BASE_DIR / 'db.sqlite3'))}"
DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL", _default_db) or _default_db)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions serialise writers up front (no mid-transaction lock upgrades), WAL lets
    # readers run beside a writer, and synchronous=FULL keeps the last commits across a power cut.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 10,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT compilation: it pays off only for long analytical queries, and on this workload (short,
    # index-driven queries whose estimated cost can still pass jit_above_cost) it adds 50-400 ms to a
    # search. random_page_cost 1.1 (PostgreSQL's default, 4, models spinning disks): the access scope
    # is a set of correlated index probes per person checked (accounts/access.py), and with the
    # default the planner prefers hashing a team's whole caseload even to check a hundred people, 7x
    # slower on a case record's working set, which sits in memory or on SSD. A PostgreSQL `options`
    # given in DATABASE_URL takes precedence.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off -c random_page_cost=1.1")
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, loading the user with their team (one query a request, not two). Sessions
    # signed in under the former "django.contrib.auth.backends.ModelBackend" sign in again once.
    "opencsc.accounts.backends.UserWithTeamBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home:index"
LOGOUT_REDIRECT_URL = "accounts:login"

# Second factor (TOTP). Only the local demo may switch it off, and the demo refuses DEBUG=False.
OPENCSC_REQUIRE_MFA = not (DEMO_MODE and env_bool("OPENCSC_DEMO_SKIP_MFA", True))
OTP_TOTP_ISSUER = "Family Support and Safeguarding"

# Login throttling: lock a username from one address after repeated failures, so that a password
# spray cannot lock a worker out from their own machine.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# Sessions: idle timeout plus an absolute lifetime; cookies never reach scripts.
SESSION_IDLE_TIMEOUT_SECONDS = env_int("SESSION_IDLE_TIMEOUT_SECONDS", 30 * 60)
SESSION_COOKIE_AGE = env_int("SESSION_ABSOLUTE_TIMEOUT_SECONDS", 10 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
if SECURE_COOKIES:
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
CSRF_FAILURE_VIEW = "opencsc.core.views.csrf_failure"

# Transport and browser security headers.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

from csp.constants import NONCE, NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Request size limits: uploads are parsed in bounded memory and refused beyond these.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
DATA_UPLOAD_MAX_NUMBER_FILES = 32  # an SSDA903 return is up to 14 CSV files, and last year's as many

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "build" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_VERSIONING_CLASS": "rest_framework.versioning.URLPathVersioning",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
# The partner API's OpenAPI document, served at /api/v1/schema/ and kept in docs/api/openapi-v1.yaml.
SPECTACULAR_SETTINGS = {
    "TITLE": "openCSC partner API",
    "DESCRIPTION": "MASH checks and shared views for partner organisations (docs/adr/0029).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": "/api/v1",
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "fss-noreply@example.gov.uk")

# --- openCSC ---------------------------------------------------------------------------------
OPENCSC_COUNCIL_NAME = env_str("OPENCSC_COUNCIL_NAME", "Borough of Exampleton Council")
OPENCSC_SERVICE_NAME = "Family Support and Safeguarding"

# Field encryption keys: "kid:base64key,kid:base64key" (32-byte keys); the first encrypts, all
# decrypt. The blind-index key is separate so an index leak says nothing about the ciphertexts.
# Neither may live in the database. Demo keys exist only in demo mode.
_DEMO_FIELD_KEYS = "demo1:ZGVtby1vbmx5LWZpZWxkLWtleS0wMTIzNDU2Nzg5YWI="
_DEMO_INDEX_KEY = "ZGVtby1vbmx5LWJsaW5kLWluZGV4LWtleS0wMTIzNDU="
_DEMO_AUDIT_KEY = "ZGVtby1vbmx5LWF1ZGl0LWNoYWluLWtleS0wMTIzNDU="
OPENCSC_FIELD_KEYS = env_str("OPENCSC_FIELD_KEYS") or (_DEMO_FIELD_KEYS if DEBUG else None)
OPENCSC_BLIND_INDEX_KEY = env_str("OPENCSC_BLIND_INDEX_KEY") or (_DEMO_INDEX_KEY if DEBUG else None)
# The audit chain is keyed (HMAC) with a key that is not in the database, so someone who can write
# the audit table still cannot forge a consistent chain.
OPENCSC_AUDIT_HMAC_KEY = env_str("OPENCSC_AUDIT_HMAC_KEY") or (_DEMO_AUDIT_KEY if DEBUG else None)
# After `manage.py rotate_audit_key`: the earlier audit keys, oldest first, comma-separated, kept only to
# verify the chain's earlier segments (docs/operations.md, "Key rotation").
OPENCSC_AUDIT_HMAC_PREVIOUS_KEYS = env_list("OPENCSC_AUDIT_HMAC_PREVIOUS_KEYS", [])
for _name in ("OPENCSC_FIELD_KEYS", "OPENCSC_BLIND_INDEX_KEY", "OPENCSC_AUDIT_HMAC_KEY"):
    if not globals()[_name]:
        raise ConfigurationError(f"{_name} must be set when DEBUG is off")
# Anchors (sequence number and chain head) are appended to this file, which should be shipped to
# storage the application cannot rewrite (a log host, WORM bucket).
OPENCSC_AUDIT_ANCHOR_FILE = env_str("OPENCSC_AUDIT_ANCHOR_FILE", str(BASE_DIR / "var" / "audit-anchors.log"))
OPENCSC_AUDIT_ANCHOR_EVERY = env_int("OPENCSC_AUDIT_ANCHOR_EVERY", 100)

OPENCSC_BREAK_GLASS_MINUTES = env_int("OPENCSC_BREAK_GLASS_MINUTES", 240)
OPENCSC_MFA_ENROLMENT_HOURS = env_int("OPENCSC_MFA_ENROLMENT_HOURS", 72)
# Wrong enrolment codes a user may type in OPENCSC_MFA_ENROLMENT_LOCK_MINUTES before further tries are
# refused unchecked (counted from the audit log, so every worker process sees the same count).
OPENCSC_MFA_ENROLMENT_ATTEMPTS = env_int("OPENCSC_MFA_ENROLMENT_ATTEMPTS", 5)
OPENCSC_MFA_ENROLMENT_LOCK_MINUTES = env_int("OPENCSC_MFA_ENROLMENT_LOCK_MINUTES", 15)
OPENCSC_SEARCH_RESULT_LIMIT = 50

# Logs go to standard error (journald under systemd). LOG_FORMAT=json (the default without DEBUG) writes
# one JSON object a line; every line carries the request id, or the scheduled job's run id, that is
# also on the audit events written meanwhile. No personal data is logged (opencsc/ops/logs.py).
LOG_FORMAT = env_str("LOG_FORMAT", "plain" if DEBUG else "json")
if LOG_FORMAT not in ("json", "plain"):
    raise ConfigurationError("LOG_FORMAT must be json or plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "opencsc.ops.logs.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "opencsc.ops.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.security": {"handlers": ["console"], "level": "WARNING", "propagate": False}},
}
# Adopt the reverse proxy's X-Request-ID (nginx $request_id) instead of making a new id. Only behind a
# proxy that always sets it: a client could otherwise choose the id written into the audit trail.
OPENCSC_TRUST_PROXY_REQUEST_ID = env_bool("OPENCSC_TRUST_PROXY_REQUEST_ID", False)
# Addresses of the reverse proxies in front of the application (deploy/nginx: 127.0.0.1). A request
# from one of them carries the client's address in X-Forwarded-For, which the audit trail and the
# sign-in throttle then use (opencsc.ops.logs.TrustedProxyMiddleware). Empty: the header is ignored.
OPENCSC_TRUSTED_PROXIES = env_list("OPENCSC_TRUSTED_PROXIES", [])
# Scheduled jobs (opencsc/ops/jobs.py): where the SQLite installations keep their job locks (PostgreSQL
# uses advisory locks), and where the daily CP-IS upload is written for the MESH client to send.
OPENCSC_JOB_LOCK_DIR = env_str("OPENCSC_JOB_LOCK_DIR", str(BASE_DIR / "var" / "locks"))
OPENCSC_CPIS_OUTBOX = env_str("OPENCSC_CPIS_OUTBOX", str(BASE_DIR / "var" / "cpis-outbox"))
# Return builds (returns/build/jobs.py): where they wait, encrypted, and for how long. In production this
# must be outside the (read-only) release, and shared between application servers.
OPENCSC_RETURNS_DIR = env_str("OPENCSC_RETURNS_DIR", str(BASE_DIR / "var" / "returns"))
OPENCSC_RETURNS_KEEP_DAYS = env_int("OPENCSC_RETURNS_KEEP_DAYS", 7)
# Partners' documents (documents/, ADR 0032): where the encrypted files live (outside the web root, never
# under static or media; in production outside the read-only release and shared between app servers),
# the largest file accepted, the most an Office file may declare it unpacks to (zip bombs), and how many
# files one check answer or request for support may carry.
OPENCSC_DOCUMENTS_DIR = env_str("OPENCSC_DOCUMENTS_DIR", str(BASE_DIR / "var" / "documents"))
OPENCSC_DOCUMENTS_MAX_BYTES = env_int("OPENCSC_DOCUMENTS_MAX_BYTES", 20 * 1024 * 1024)
OPENCSC_DOCUMENTS_MAX_UNPACKED_BYTES = env_int("OPENCSC_DOCUMENTS_MAX_UNPACKED_BYTES", 200 * 1024 * 1024)
OPENCSC_DOCUMENTS_PER_ITEM = env_int("OPENCSC_DOCUMENTS_PER_ITEM", 10)
# The council's DfE LA number and ONS code for the returns (returns/build/common.py; empty: the
# synthetic defaults there).
OPENCSC_LA_NUMBER = env_str("OPENCSC_LA_NUMBER", "")
OPENCSC_LA_ONS_CODE = env_str("OPENCSC_LA_ONS_CODE", "")

# --- casework: local practice standards (statutory clocks themselves live in casework/timescales.py)
# Working days between child protection statutory visits (no national standard; local procedure).
OPENCSC_CP_VISIT_WORKING_DAYS = env_int("OPENCSC_CP_VISIT_WORKING_DAYS", 10)
# Working days between child in need visits.
OPENCSC_CIN_VISIT_WORKING_DAYS = env_int("OPENCSC_CIN_VISIT_WORKING_DAYS", 20)
# Months between child in need plan reviews (commonly 3; not nationally fixed).
OPENCSC_CIN_PLAN_REVIEW_MONTHS = env_int("OPENCSC_CIN_PLAN_REVIEW_MONTHS", 3)
# Weeks between core group meetings after the first (commonly no more than 6-weekly).
OPENCSC_CORE_GROUP_WEEKS = env_int("OPENCSC_CORE_GROUP_WEEKS", 6)
# Looked-after visits (Care Planning Regulations reg 28): within a week of a placement starting, then
# at most this many weeks apart in the first year, then this many months if the placement is long term.
OPENCSC_LAC_VISIT_WEEKS = env_int("OPENCSC_LAC_VISIT_WEEKS", 6)
OPENCSC_LAC_LONG_TERM_VISIT_MONTHS = env_int("OPENCSC_LAC_LONG_TERM_VISIT_MONTHS", 3)
# Early help and Family Help (casework.help_model): "tiered" runs early help below child in need;
# "family_help" runs the Families First model (one Family Help service joining targeted early help and
# section 17 work). It changes labels and pathways, never stored data.
OPENCSC_HELP_MODEL = env_str("OPENCSC_HELP_MODEL", "tiered")
if OPENCSC_HELP_MODEL not in ("tiered", "family_help"):
    raise ConfigurationError("OPENCSC_HELP_MODEL must be tiered or family_help")
# Working days to complete a whole-family assessment, and weeks between reviews of the family's plan.
OPENCSC_FAMILY_HELP_ASSESSMENT_WORKING_DAYS = env_int("OPENCSC_FAMILY_HELP_ASSESSMENT_WORKING_DAYS", 30)
OPENCSC_FAMILY_HELP_REVIEW_WEEKS = env_int("OPENCSC_FAMILY_HELP_REVIEW_WEEKS", 12)
# A closed case leaves its team's caseload (and so the team's sight of the family) this many days
# after the closure date, time to finish closure summaries and letters (casework episode_close).
OPENCSC_CLOSED_CASE_ACCESS_DAYS = env_int("OPENCSC_CLOSED_CASE_ACCESS_DAYS", 28)
# The MASH queue's RAG clock: hours from receiving a contact to the MASH's response, by RAG rating
# (local timescales; many MASHs use 4 hours for red, 24 for amber and 72 for green).
OPENCSC_MASH_RED_HOURS = env_int("OPENCSC_MASH_RED_HOURS", 4)
OPENCSC_MASH_AMBER_HOURS = env_int("OPENCSC_MASH_AMBER_HOURS", 24)
OPENCSC_MASH_GREEN_HOURS = env_int("OPENCSC_MASH_GREEN_HOURS", 72)
# The partner portal (opencsc/partners, ADR 0029): how long a partner has to answer a MASH check sent
# through the portal, by urgency; and the longest a shared view may stay open before it expires.
OPENCSC_PARTNER_CHECK_RED_HOURS = env_int("OPENCSC_PARTNER_CHECK_RED_HOURS", 4)
OPENCSC_PARTNER_CHECK_AMBER_HOURS = env_int("OPENCSC_PARTNER_CHECK_AMBER_HOURS", 24)
OPENCSC_PARTNER_CHECK_GREEN_WORKING_DAYS = env_int("OPENCSC_PARTNER_CHECK_GREEN_WORKING_DAYS", 3)
OPENCSC_SHARED_VIEW_MAX_DAYS = env_int("OPENCSC_SHARED_VIEW_MAX_DAYS", 28)
# Calls each partner API key may make per clock minute (429 beyond it).
OPENCSC_PARTNER_API_PER_MINUTE = env_int("OPENCSC_PARTNER_API_PER_MINUTE", 120)

# People's rights (opencsc/rights): posts of the public "ask us" form allowed per address an hour, and
# whether a subject access bundle proposes professionals' names (staff users) for redaction.
OPENCSC_ASK_US_RATE_LIMIT = env_int("OPENCSC_ASK_US_RATE_LIMIT", 5)
OPENCSC_SAR_REDACT_PROFESSIONALS = env_bool("OPENCSC_SAR_REDACT_PROFESSIONALS", False)

# --- CP-IS (NHS England Child Protection - Information Sharing): the council as NHS staff see it.
# The defaults are synthetic (ODS code ZZ999, Ofcom drama-range numbers): set all four in production.
OPENCSC_CPIS_ODS_CODE = env_str("OPENCSC_CPIS_ODS_CODE", "ZZ999")
OPENCSC_CPIS_LA_NAME = env_str("OPENCSC_CPIS_LA_NAME", OPENCSC_COUNCIL_NAME)
OPENCSC_CPIS_OFFICE_HOURS_PHONE = env_str("OPENCSC_CPIS_OFFICE_HOURS_PHONE", "01632 960001")
OPENCSC_CPIS_OUT_OF_HOURS_PHONE = env_str("OPENCSC_CPIS_OUT_OF_HOURS_PHONE", "01632 960002")
# Largest acknowledgement or notification file accepted for import (bytes).
OPENCSC_CPIS_MAX_FILE_BYTES = env_int("OPENCSC_CPIS_MAX_FILE_BYTES", 5 * 1024 * 1024)

# --- Files from outside (core/uploads.py, returns/checking.py, returns/postcode_directory.py): bytes.
OPENCSC_RETURNS_CHECK_MAX_BYTES = env_int("OPENCSC_RETURNS_CHECK_MAX_BYTES", 32 * 1024 * 1024)
OPENCSC_RETURNS_CHECK_COMMAND_MAX_BYTES = env_int("OPENCSC_RETURNS_CHECK_COMMAND_MAX_BYTES", 512 * 1024 * 1024)
OPENCSC_POSTCODES_MAX_BYTES = env_int("OPENCSC_POSTCODES_MAX_BYTES", 3 * 1024 * 1024 * 1024)

# --- Standard data (opencsc/standard_data): the NHS health-needs picture and the SSD export.
# Counts below this are suppressed in the health-needs picture (with secondary suppression).
OPENCSC_HEALTH_NEEDS_THRESHOLD = env_int("OPENCSC_HEALTH_NEEDS_THRESHOLD", 5)
if OPENCSC_HEALTH_NEEDS_THRESHOLD < 2:
    raise ConfigurationError("OPENCSC_HEALTH_NEEDS_THRESHOLD must be 2 or more")
# Releases counted within this many days of each other are compared before release (differencing guard).
OPENCSC_HEALTH_NEEDS_DIFFERENCING_DAYS = env_int("OPENCSC_HEALTH_NEEDS_DIFFERENCING_DAYS", 365)
# The council's secret for the keyed hash (HMAC-SHA256) that pseudonymises the SSD export. No default:
# the pseudonymised export refuses to run without it. Never the same as any other key; keep it stable
# (a new secret gives every child a new pseudonym) and out of the repository and its backups.
OPENCSC_SSD_PSEUDONYM_KEY = env_str("OPENCSC_SSD_PSEUDONYM_KEY", "")

# --- Insight (opencsc/insight): children aged 0 to 17 living in the borough, the denominator of the
# rates per 10,000 (ONS mid-year estimate; the default is a synthetic borough's).
OPENCSC_CHILD_POPULATION = env_int("OPENCSC_CHILD_POPULATION", 60000)
