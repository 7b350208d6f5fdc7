"""Accountability settings: one file, driven by environment variables (django-environ)."""

import os
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off (see .env.example)."
        )
    SECRET_KEY = "insecure-development-key-only-for-debug"

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Before the admin (its translated-field admin) and before the apps whose translation.py
    # registers reference data: its ready() adds the translated fields (see violations/translation.py).
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # production (issue 18): django.contrib.staticfiles, ignoring viewflow's node_modules copy
    "config.apps.StaticFiles",
    "django.contrib.humanize",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "simple_history",
    "viewflow",
    "viewflow.workflow",
    "axes",
    "csp",
    # second factor (issue 18): TOTP authenticators and recovery codes (security/mfa.py)
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "ledger",
    "deadlines",  # working-day calendars and deadline rules (reference data)
    "security",  # account, right and login events on the system chain
    "violations",
    "sanctions",
    "remediation",
    "casework",
    "reports",
    "notifications",
    "portal",  # the reporting portal, /speak-up/ (docs/portal.md)
    "jobs",  # the scheduled jobs and `manage.py run_jobs`
    "demo",
]

MIDDLEWARE = [
    # --- production (issue 18): proxy, static files, no-store ---
    # First: forwarded headers are believed only from DJANGO_TRUSTED_PROXIES (config/middleware.py).
    "config.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files with hashed names and long cache lifetimes, before anything else runs.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Every response below this point is marked Cache-Control: no-store.
    "config.middleware.NoStoreMiddleware",
    # --- end production ---
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # --- second factor (issue 18): the session's verified device, then nothing but the
    # second-factor pages for a privileged person without one (security/middleware.py)
    "django_otp.middleware.OTPMiddleware",
    "security.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Input no field can mean (NUL characters, year-1 dates) answers 400, never 500.
    "config.guard.InputGuardMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "viewflow.middleware.SiteMiddleware",
    "viewflow.middleware.HotwireTurboMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during login into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "security.context.single_sign_on",
                "notifications.context_processors.unread",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the single writer; IMMEDIATE makes every transaction take
    # the write lock up front, so concurrent writers queue (busy timeout) instead of failing
    # with "database is locked" when a read transaction tries to upgrade.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # A file, not :memory:, so concurrency tests see real locking; one per test process so
    # parallel runs on one machine never share a database.
    DATABASES["default"].setdefault("TEST", {})["NAME"] = str(
        BASE_DIR / "var" / f"test-{os.getpid()}.sqlite3"
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False

# PostgreSQL roles (docs/reliability.md, "Database roles"): the application connects as a role
# that owns no table (DATABASE_URL); `manage.py migrate` connects as the owner
# (DATABASE_OWNER_URL, same database) and then grants DATABASE_APP_ROLE its rights, which on
# the ledger's tables are read and append only. Unset, one role does both.
DATABASE_OWNER_URL = env.str("DATABASE_OWNER_URL", default="")
DATABASE_APP_ROLE = env.str("DATABASE_APP_ROLE", default="")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    # Older hashes still verify and are upgraded to Argon2 at the next login.
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out username/address before any password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Single sign-on adds its backend below, when configured.
LOGIN_URL = "/accounts/login/"
# "My tasks": every step a person may do is one click from there.
LOGIN_REDIRECT_URL = "/work/case/inbox/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
# A working day at most; the cookie also dies with the browser.
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_SECONDS", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- second factor (issue 18) ---
# Approvers, case managers, auditors and administrators pass a TOTP code after the password,
# once per session (security/mfa.py says who). django-otp throttles each device: after n
# wrong codes in a row the next is heard only after 2^(n-1) seconds.
OTP_TOTP_ISSUER = env.str("ACCOUNTABILITY_OTP_ISSUER", default="Accountability")
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# The admin lists devices (to remove a lost one) but never shows a secret key or its QR code.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# --- end second factor ---

# --- single sign-on (issue 18): OpenID Connect, on only when OIDC_RP_CLIENT_ID is set ---
# security/oidc.py; docs/deploy.md, "Single sign-on". The provider's endpoints are given one
# by one (mozilla-django-oidc reads no discovery document); RS256 ID tokens checked against
# the provider's published keys; PKCE, state and nonce on every sign-in.
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="single sign-on")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid email profile")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_USE_PKCE = True
OIDC_TIMEOUT = 10
OIDC_AUTHENTICATE_CLASS = "security.oidc.SignInView"
OIDC_CALLBACK_CLASS = "security.oidc.CallbackView"
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/?sso=failed"
# Which claims name the person and their groups, and IdP group -> this application's group:
# OIDC_GROUP_MAP="bank-compliance-managers=Case manager,bank-auditors=Internal auditor"
OIDC_USERNAME_CLAIM = env.str("OIDC_USERNAME_CLAIM", default="preferred_username")
OIDC_GROUPS_CLAIM = env.str("OIDC_GROUPS_CLAIM", default="groups")
OIDC_GROUP_MAP = env.dict("OIDC_GROUP_MAP", default={})
# `amr` values of the ID token that count as this application's second factor, when the
# provider enforces MFA itself (e.g. "mfa,otp,hwk"). Empty: a privileged person signed in by
# the provider still enters a code from their authenticator here.
OIDC_TRUSTED_AMR = env.list("OIDC_TRUSTED_AMR", default=[])
if OIDC_ENABLED:
    _missing = [
        name
        for name in (
            "OIDC_RP_CLIENT_SECRET",
            "OIDC_OP_AUTHORIZATION_ENDPOINT",
            "OIDC_OP_TOKEN_ENDPOINT",
            "OIDC_OP_USER_ENDPOINT",
            "OIDC_OP_JWKS_ENDPOINT",
            "OIDC_GROUP_MAP",
        )
        if not globals()[name]
    ]
    if _missing:
        raise ImproperlyConfigured(
            f"OIDC_RP_CLIENT_ID is set, so single sign-on needs {', '.join(_missing)} too."
        )
    AUTHENTICATION_BACKENDS.append("security.oidc.GroupsOIDCBackend")
# --- end single sign-on ---

# --- production (issue 18): login throttling (django-axes) ---
# Counted per account *and* address, and per address alone: AXES_FAILURE_LIMIT failures for
# one username from one address slow that guesser down for AXES_COOLOFF_TIME, and the same
# number from one address across any usernames (password spraying) holds the address back.
# A named person is never locked out by someone else's guesses from another address, and a
# lockout always ends: failures during it do not extend it. The address is the client's
# behind a trusted proxy (config.middleware.TrustedProxyMiddleware sets REMOTE_ADDR). With
# REDIS_URL the counters live in Redis, shared by every node; otherwise in the database.
AXES_ENABLED = env.bool("DJANGO_AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("DJANGO_AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("DJANGO_AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
# --- end production ---

# --- I18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("zh-hant", _("Traditional Chinese")),
    ("zh-hans", _("Simplified Chinese")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="Asia/Hong_Kong")
USE_I18N = True
USE_TZ = True
# One date format per language, the same everywhere a date is shown (config/formats/).
FORMAT_MODULE_PATH = ["config.formats"]
# Reference data (departments, violation categories, sanction kinds, severity grades) has a
# name in each language (django-modeltranslation: name_en, name_zh_hant, name_zh_hans); a
# name is shown in the reader's language, else in the other Chinese script, else in English.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("en", "zh-hant", "zh-hans")
MODELTRANSLATION_FALLBACK_LANGUAGES = {
    "default": ("en",),
    "zh-hant": ("zh-hans", "en"),
    "zh-hans": ("zh-hant", "en"),
}

# --- Files ----------------------------------------------------------------------------------
STATIC_URL = "static/"
# --- production (issue 18): static files, uploaded files, cache ---
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
# Evidence is never served from a public URL. MEDIA_URL names one application route
# (config/media.py) that serves avatars to signed-in users and nothing else; evidence goes
# out only through the case's evidence view. Files live on this machine's disk
# (ACCOUNTABILITY_MEDIA_ROOT) or, with ACCOUNTABILITY_S3_BUCKET, in an S3-compatible bucket
# that every node shares (config/storage.py).
MEDIA_ROOT = Path(env.str("ACCOUNTABILITY_MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media/"
S3_BUCKET = env.str("ACCOUNTABILITY_S3_BUCKET", default="")
if S3_BUCKET:
    _files = {
        "BACKEND": "config.storage.PrivateS3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env.str("ACCOUNTABILITY_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("ACCOUNTABILITY_S3_REGION", default="") or None,
            "access_key": env.str("ACCOUNTABILITY_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("ACCOUNTABILITY_S3_SECRET_ACCESS_KEY", default="") or None,
            "location": env.str("ACCOUNTABILITY_S3_PREFIX", default=""),
            "addressing_style": env.str("ACCOUNTABILITY_S3_ADDRESSING", default="path"),
        },
    }
else:
    _files = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _files,
    # With DEBUG off, whitenoise serves what collectstatic built: hashed names (a changed
    # file gets a new name, so browsers may cache for a year) and gzip copies.
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Redis (REDIS_URL) is the cache every node shares: login throttling counts there.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("DJANGO_CACHE_PREFIX", default="accountability"),
        }
    }
    AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
# --- end production ---
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

EMAIL_BACKEND = env.str(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="accountability@localhost")
# The SMTP relay, for DJANGO_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend. The
# outbox dispatcher (notifications/outbox.py) sends through it and retries what it refuses;
# a send that hangs past EMAIL_TIMEOUT counts as failed.
EMAIL_HOST = env.str("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("DJANGO_EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("DJANGO_EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("DJANGO_EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("DJANGO_EMAIL_TIMEOUT", default=30)

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # A session carries its second factor (security/middleware.py refuses an unverified
        # privileged session with 403); a password alone over HTTP Basic serves only
        # accounts that need no second factor (security/api_auth.py).
        "rest_framework.authentication.SessionAuthentication",
        "security.api_auth.StrictBasicAuthentication",
        "security.api_auth.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "casework.pagination.Pages",
    "PAGE_SIZE": 50,
    # --- api (issue 17): requests per user and minute before the API answers 429 ---
    "DEFAULT_THROTTLE_RATES": {
        "api": env("API_RATE_LIMIT", default="600/minute"),
        # --- apitokens (issue 17): per service-account token, unless the token sets its own ---
        "api-token": env("API_TOKEN_RATE_LIMIT", default="600/minute"),
    },
}
# --- apitokens (issue 17): how long a rotated token keeps working beside its replacement ---
API_TOKEN_ROTATION_OVERLAP_MINUTES = env.int("API_TOKEN_ROTATION_OVERLAP_MINUTES", default=60)
SPECTACULAR_SETTINGS = {
    "TITLE": "Accountability API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Two fields are called "outcome": the case's and a verification's. Name both enums, so
    # the schema is stable and `check --deploy --fail-level WARNING` stays clean.
    "ENUM_NAME_OVERRIDES": {
        "CaseOutcomeEnum": "violations.models.Outcome",
        "VerificationOutcomeEnum": ["proceed", "dismiss", "duplicate"],
        # --- api (issue 17): the step forms' choices (casework/api_schema.py names the same) ---
        "SeverityEnum": "violations.models.Severity",
        "YesNoEnum": ["yes", "no"],
        # --- apitokens (issue 17): the record listings' states ---
        "ProposalStatusEnum": "sanctions.models.ProposalStatus",
        "SanctionStatusEnum": "sanctions.models.SanctionStatus",
        "DefenceStatusEnum": "sanctions.models.DefenceStatus",
        "ApprovalLevelEnum": "sanctions.models.ApprovalLevel",
        "ActionStatusEnum": "remediation.models.ActionStatus",
        "SanctionFilterStatusEnum": ["approved", "executed"],
        "StatusEnum": "viewflow.workflow.status.STATUS",  # a task's
    },
}

# --- Security -------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content security policy (django-csp). Scripts only from this site: viewflow's Material
# frontend loads all of its JavaScript, fonts and styles from its own static files. Styles
# allow 'unsafe-inline' because viewflow's templates and web components use style attributes
# and Turbo injects its progress-bar <style>; inline styles cannot run code. The two hashes
# (with 'unsafe-hashes') let viewflow's "Back" buttons keep their inline onclick handlers and
# nothing else: injected <script> or on*= attributes stay blocked.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": [
            "'self'",
            "'unsafe-hashes'",
            "'sha256-seD630z7277f97kwMcz927xhDjB8+HQCe4f0EztcsAU='",
            "'sha256-GdAjV6tJJrCv5L8FkbHYzJwNrscSj7aTuYJzS/C7wZY='",
        ],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# --- production (issue 18): behind a TLS proxy ---
# Addresses (or networks) of the proxies in front of the application. Only their
# X-Forwarded-For and X-Forwarded-Proto are believed (config/middleware.py); gunicorn's
# forwarded_allow_ips reads the same variable (deploy/gunicorn.conf.py).
ACCOUNTABILITY_TRUSTED_PROXIES = env.list("DJANGO_TRUSTED_PROXIES", default=[])
if ACCOUNTABILITY_TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# --- end production ---
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    # Off only to try the production configuration over plain HTTP on this machine
    # (`make serve`, the smoke test); never behind a real proxy.
    SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="WARNING")},
}

# --- Product configuration ------------------------------------------------------------------
ACCOUNTABILITY = {
    "INSTITUTION_NAME": env.str("ACCOUNTABILITY_INSTITUTION", default="Demo Bank Ltd."),
    "REFERENCE_PREFIX": "VC",
    # Deadlines, windows and waits are reference data (deadlines.DeadlineRule, edited in the
    # admin). These numbers only seed the rules when the database is created (deadlines/
    # defaults.py holds the rest); changing them later changes nothing.
    "REVIEW_DELAY_DAYS": env.int("ACCOUNTABILITY_REVIEW_DELAY_DAYS", default=90),
    "SANCTIONS": {
        "DEFENCE_WORKING_DAYS": env.int("ACCOUNTABILITY_DEFENCE_WORKING_DAYS", default=5),
        "APPEAL_WINDOW_DAYS": env.int("ACCOUNTABILITY_APPEAL_WINDOW_DAYS", default=10),
        "APPEAL_WINDOW_MINUTES": env.int("ACCOUNTABILITY_APPEAL_WINDOW_MINUTES", default=0) or None,
        "APPEAL_DECISION_DAYS": env.int("ACCOUNTABILITY_APPEAL_DECISION_DAYS", default=60),
        # ISO 4217 codes a fine or deduction may be given in, the institution's own first.
        "CURRENCIES": env.list(
            "ACCOUNTABILITY_SANCTION_CURRENCIES", default=["HKD", "CNY", "USD", "TWD", "EUR"]
        ),
    },
    # Fixed lengths that win over the rules, for a demonstration only: `make demo` sets
    # ACCOUNTABILITY_REVIEW_DELAY_MINUTES and ACCOUNTABILITY_APPEAL_WINDOW_MINUTES so a person
    # can watch a review open and a case close.
    "DEADLINE_OVERRIDES": {
        kind: timedelta(minutes=minutes)
        for kind, minutes in (
            ("review_delay", env.int("ACCOUNTABILITY_REVIEW_DELAY_MINUTES", default=0)),
            ("appeal_filing", env.int("ACCOUNTABILITY_APPEAL_WINDOW_MINUTES", default=0)),
        )
        if minutes
    },
    # Years after close a case keeps its personal data when its category has no retention
    # rule of its own (violations.RetentionRule, edited in the admin); docs/operations.md.
    "RETENTION_YEARS": env.int("ACCOUNTABILITY_RETENTION_YEARS", default=7),
    "EVIDENCE_MAX_BYTES": 20 * 1024 * 1024,
    # The reporting portal (/speak-up/, docs/portal.md): what the case services read here;
    # the abuse guard's limits (security/portal_guard.py) are the PORTAL_* settings below,
    # among them the one size cap both read. RECEIPT_KEY derives the salt of the
    # receipt codes' hashes (SECRET_KEY when empty): changing it makes every code unusable.
    "PORTAL": {
        "RECEIPT_KEY": env.str("ACCOUNTABILITY_RECEIPT_KEY", default=""),
        "RECEIPT_ARGON2": {"time_cost": 2, "memory_cost": 32 * 1024, "parallelism": 1},
        # How long a mailbox opened with a code stays open without a new request.
        "MAILBOX_SECONDS": env.int("ACCOUNTABILITY_MAILBOX_SECONDS", default=15 * 60),
        # The department a report is filed under when the reporter does not know (a code);
        # empty: the first top-level department.
        "DEFAULT_DEPARTMENT": env.str("ACCOUNTABILITY_PORTAL_DEPARTMENT", default=""),
    },
    "EVIDENCE_EXTENSIONS": [
        ".pdf",
        ".png",
        ".jpg",
        ".jpeg",
        ".txt",
        ".csv",
        ".docx",
        ".xlsx",
        ".eml",
        ".msg",
        ".mp3",
        ".wav",
    ],
    # Notifications (notifications/): e-mail links point at SITE_URL; queue arrivals go out
    # as a digest every QUEUE_DIGEST_MINUTES, chosen digests daily at DIGEST_HOUR (local); a
    # failed send is retried after RETRY_BASE_SECONDS, doubling, up to MAX_ATTEMPTS.
    "NOTIFICATIONS": {
        "SITE_URL": env.str("ACCOUNTABILITY_SITE_URL", default="http://127.0.0.1:8000"),
        "QUEUE_DIGEST_MINUTES": env.int("ACCOUNTABILITY_QUEUE_DIGEST_MINUTES", default=60),
        "DIGEST_HOUR": env.int("ACCOUNTABILITY_DIGEST_HOUR", default=8),
        "RETRY_BASE_SECONDS": env.int("ACCOUNTABILITY_MAIL_RETRY_SECONDS", default=60),
        "RETRY_MAX_SECONDS": 6 * 3600,
        "MAX_ATTEMPTS": env.int("ACCOUNTABILITY_MAIL_MAX_ATTEMPTS", default=8),
        "BATCH": 50,
        # Sent or given-up outbox rows are deleted after this many days (the notifications
        # themselves stay: the centre lists them).
        "PURGE_AFTER_DAYS": env.int("ACCOUNTABILITY_OUTBOX_PURGE_DAYS", default=30),
        # Webhooks (notifications/webhooks.py): a receiver slower than this fails the attempt.
        "WEBHOOK_TIMEOUT": env.int("ACCOUNTABILITY_WEBHOOK_TIMEOUT", default=10),
        "WEBHOOK_MAX_ATTEMPTS": env.int("ACCOUNTABILITY_WEBHOOK_MAX_ATTEMPTS", default=12),
    },
    "SIGNING_KEY_PATH": env.str(
        "ACCOUNTABILITY_SIGNING_KEY", default=str(BASE_DIR / "var" / "keys" / "signing_key.pem")
    ),
    # A case bulletin names a department only when it has at least this many staff: in a
    # smaller unit the name alone points at the people (reports/bulletins/redaction.py).
    "BULLETIN_MIN_UNIT_SIZE": env.int("ACCOUNTABILITY_BULLETIN_MIN_UNIT_SIZE", default=20),
}

# Where each signed ledger checkpoint is also written, outside the database (a directory on
# another machine's share, or one synchronised to write-once storage). Empty: the database only.
LEDGER_CHECKPOINT_DIR = env.str("LEDGER_CHECKPOINT_DIR", default="")

# --- portal guard (issue 19): abuse controls of the reporting portal (security/portal_guard.py)
# Counters live in the cache (Redis with REDIS_URL), keyed on HMACs, never raw addresses.
# Proof of work: leading zero bits of SHA-256(challenge:solution), and a challenge's lifetime.
# 16 bits: about a second in a browser (65,536 hashes on average); 18 took about ten seconds
# in headless Chromium here, too long for a reporter to wait on a form.
PORTAL_POW_DIFFICULTY = env.int("PORTAL_POW_DIFFICULTY", default=16)
PORTAL_POW_TTL_SECONDS = env.int("PORTAL_POW_TTL_SECONDS", default=30 * 60)
# Reports and messages sent through the portal, per address.
PORTAL_SUBMISSIONS_PER_HOUR = env.int("PORTAL_SUBMISSIONS_PER_HOUR", default=5)
PORTAL_SUBMISSIONS_PER_DAY = env.int("PORTAL_SUBMISSIONS_PER_DAY", default=20)
# Receipt codes: every attempt lasts at least MIN_SECONDS (above the slowest check of a code's
# Argon2 hash); each failure past SLOW_AFTER adds SLOW_STEP more (up to SLOW_MAX); LOCK_AFTER
# failures within FAILURE_WINDOW lock the address for LOCK_SECONDS; one code may be tried ATTEMPTS_PER_CODE times per LOCK_SECONDS.
PORTAL_CODE_MIN_SECONDS = env.float("PORTAL_CODE_MIN_SECONDS", default=1.0)
PORTAL_CODE_SLOW_AFTER = env.int("PORTAL_CODE_SLOW_AFTER", default=3)
PORTAL_CODE_SLOW_STEP_SECONDS = env.float("PORTAL_CODE_SLOW_STEP_SECONDS", default=1.0)
PORTAL_CODE_SLOW_MAX_SECONDS = env.float("PORTAL_CODE_SLOW_MAX_SECONDS", default=5.0)
PORTAL_CODE_LOCK_AFTER = env.int("PORTAL_CODE_LOCK_AFTER", default=10)
PORTAL_CODE_FAILURE_WINDOW_SECONDS = env.int("PORTAL_CODE_FAILURE_WINDOW_SECONDS", default=3600)
PORTAL_CODE_LOCK_SECONDS = env.int("PORTAL_CODE_LOCK_SECONDS", default=15 * 60)
PORTAL_CODE_ATTEMPTS_PER_CODE = env.int("PORTAL_CODE_ATTEMPTS_PER_CODE", default=10)
# One report's (or one message's) text and attachments together: the guard refuses a larger
# request before reading it, and the mailbox service refuses files that add up to more.
PORTAL_MAX_REPORT_BYTES = env.int("PORTAL_MAX_REPORT_BYTES", default=25 * 1024 * 1024)
