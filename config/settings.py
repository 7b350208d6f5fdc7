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
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "simple_history",
    "viewflow",
    "viewflow.workflow",
    "axes",
    "csp",
    "ledger",
    "violations",
    "sanctions",
    "remediation",
    "casework",
    "reports",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
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
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/cases/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
# A working day at most; the cookie also dies with the browser.
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_SECONDS", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failures for one username from one
# address, that pair is locked out for AXES_COOLOFF_TIME. A successful login resets the count.
AXES_ENABLED = env.bool("DJANGO_AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("DJANGO_AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("DJANGO_AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True

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

# --- Files ----------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Evidence is never served from a public URL: MEDIA_ROOT has no URL route; files go out only
# through permission-checked views.
MEDIA_ROOT = Path(env.str("ACCOUNTABILITY_MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
MEDIA_URL = None
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

EMAIL_BACKEND = env.str(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="accountability@localhost")

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Accountability API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Two fields are called "outcome": the case's and a verification's. Name both enums, so
    # the schema is stable and `check --deploy --fail-level WARNING` stays clean.
    "ENUM_NAME_OVERRIDES": {
        "CaseOutcomeEnum": "violations.models.Outcome",
        "VerificationOutcomeEnum": ["proceed", "dismiss", "duplicate"],
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
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
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
    # Initial response to a report is due within this window (the brief's 24 hours).
    "ACKNOWLEDGE_WITHIN": timedelta(hours=24),
    # How long each stage may take before it is overdue and escalated.
    "STAGE_DEADLINES": {
        "verification": timedelta(days=5),
        "team": timedelta(days=3),
        "investigation": timedelta(days=30),
        "fact_finding": timedelta(days=10),
        "sanction_proposal": timedelta(days=10),
        "approval": timedelta(days=7),
        "post_approval": timedelta(days=60),
        "effectiveness_review": timedelta(days=14),
    },
    # How long after the last corrective action the effectiveness review opens. The demo
    # sets ACCOUNTABILITY_REVIEW_DELAY_MINUTES so a person can watch the review open.
    "EFFECTIVENESS_REVIEW_DELAY": (
        timedelta(minutes=env.int("ACCOUNTABILITY_REVIEW_DELAY_MINUTES"))
        if env.str("ACCOUNTABILITY_REVIEW_DELAY_MINUTES", default="")
        else timedelta(days=env.int("ACCOUNTABILITY_REVIEW_DELAY_DAYS", default=90))
    ),
    # The flow's other waits (sanctions/conf.py has every sanction-stage number): the demo
    # sets ACCOUNTABILITY_APPEAL_WINDOW_MINUTES so the case closes while a person watches.
    "SANCTIONS": {
        "DEFENCE_WORKING_DAYS": env.int("ACCOUNTABILITY_DEFENCE_WORKING_DAYS", default=5),
        "APPEAL_WINDOW_DAYS": env.int("ACCOUNTABILITY_APPEAL_WINDOW_DAYS", default=10),
        "APPEAL_WINDOW_MINUTES": env.int("ACCOUNTABILITY_APPEAL_WINDOW_MINUTES", default=0) or None,
        "APPEAL_DECISION_DAYS": env.int("ACCOUNTABILITY_APPEAL_DECISION_DAYS", default=60),
    },
    "EVIDENCE_MAX_BYTES": 20 * 1024 * 1024,
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
    "SIGNING_KEY_PATH": env.str(
        "ACCOUNTABILITY_SIGNING_KEY", default=str(BASE_DIR / "var" / "keys" / "signing_key.pem")
    ),
}
