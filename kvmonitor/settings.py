"""Settings for KV Monitor, read from the environment (django-environ).

Local use works without any configuration: SQLite in the checkout and DEBUG
off unless asked for. Production sets DATABASE_URL, SECRET_KEY and
ALLOWED_HOSTS; every security setting defaults to its strict value when
DEBUG is off.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=False):
    environ.Env.read_env(BASE_DIR / ".env")

# GENERAL
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-local-development-key-only-used-with-debug-on"  # noqa: S105
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# APPS
DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
]
THIRD_PARTY_APPS = [
    "django_tables2",
    "django_filters",
    "simple_history",
    "axes",
    "csp",
    "django_q",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]
LOCAL_APPS = [
    "core",
    "intake",
    "trajectories",
    "partners",
    "evaluation",
    "steering",
    "dashboards",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "core.middleware.AccessContextMiddleware",
    "core.middleware.SecondFactorMiddleware",
    "core.middleware.SessionIdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    # innermost: only the view's own transaction begins DEFERRED
    "core.middleware.ReadOnlyRequestTransactionMiddleware",
]

ROOT_URLCONF = "kvmonitor.urls"
WSGI_APPLICATION = "kvmonitor.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
            ],
            "string_if_invalid": "",
        },
    },
]

# Forms render with the project's templates, so one label template
# (templates/django/forms/label.html) starts every label with a capital.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# DATABASE
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo database serves several users at once: a write transaction
    # takes the write lock at its start and waits for it, instead of failing
    # with "database is locked" halfway through. With the write-ahead log,
    # readers never wait for a writer; pages that only read begin their
    # transaction DEFERRED (core.middleware.ReadOnlyRequestTransactionMiddleware),
    # so one user's import does not hold up everybody else's pages.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL",
        }
    )
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# AUTHENTICATION
AUTHENTICATION_BACKENDS = [
    # axes first: it refuses locked-out credentials before any password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): lock a username+address pair after repeated
# failures for a cool-off period.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client's own address, also behind the proxy (TRUSTED_PROXIES), so one
# attacker cannot lock a colleague out from the whole building.
AXES_CLIENT_IP_CALLABLE = "core.client_address.client_address"

# SECOND FACTOR (django-otp, core/two_factor.py): an authenticator app (TOTP)
# with backup codes. Roles listed here (casemanager, project_leader,
# researcher, functional_admin, and superuser) may log in with a password
# alone; by default none when DEBUG is off, all in development and the demo.
KV_TWO_FACTOR_EXEMPT_ROLES = env.list(
    "KV_TWO_FACTOR_EXEMPT_ROLES",
    default=(
        ["casemanager", "project_leader", "researcher", "functional_admin", "superuser"]
        if DEBUG
        else []
    ),
)
OTP_TOTP_ISSUER = "KV Monitor"
# A new code may be tried after 1, 2, 4, 8 ... seconds after failures.
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# PASSWORDS: a functional administrator hands a one-time link to set a
# password; it works once and for this long. With e-mail configured
# (KV_PASSWORD_RESET_BY_EMAIL) the link can be e-mailed and users can ask
# for one themselves from the login page.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT_SECONDS", default=72 * 3600)
KV_PASSWORD_RESET_BY_EMAIL = env.bool("KV_PASSWORD_RESET_BY_EMAIL", default=False)

# SESSIONS: expire after inactivity, because screens with case data are
# left open on shared office machines.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
# core.middleware.SessionIdleTimeoutMiddleware slides the expiry with
# activity, writing the session at most once per this many seconds.
SESSION_REFRESH_SECONDS = env.int("SESSION_REFRESH_SECONDS", default=60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# SECURITY: strict unless DEBUG is on.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# A load balancer polls the health endpoint over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^health/(web/)?$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool(
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG
)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https")
    if env.bool("BEHIND_TLS_PROXY", default=False)
    else None
)
# Addresses (or networks) of the reverse proxies in front of the app. Only a
# request from one of them has its client address read from X-Forwarded-For
# (core/client_address.py); the login lockout, the audit log and the
# read-access log use that address.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
# Content Security Policy (django-csp): only this origin's own scripts,
# styles and images; no inline script or style attribute anywhere (a test
# in tests/hardening checks the templates). The data: image is the empty
# favicon of base.html.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Uploads: import lists are small spreadsheets. A larger request body is
# refused with the 413 page (core.errors.bad_request).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 5
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
IMPORT_MAX_UPLOAD_BYTES = env.int("IMPORT_MAX_UPLOAD_BYTES", default=5 * 1024 * 1024)
# Limits held while a list is read (intake.importers.read_rows): data rows,
# filled cells of a workbook, unpacked size of each part of a workbook, empty
# rows in a row before more data.
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=20_000)
IMPORT_MAX_CELLS = env.int("IMPORT_MAX_CELLS", default=IMPORT_MAX_ROWS * 15)
IMPORT_MAX_UNPACKED_BYTES = env.int(
    "IMPORT_MAX_UNPACKED_BYTES", default=64 * 1024 * 1024
)
IMPORT_MAX_EMPTY_ROWS = env.int("IMPORT_MAX_EMPTY_ROWS", default=1000)
# Whole request body, files included: one import file plus the form around it.
REQUEST_MAX_BODY_BYTES = IMPORT_MAX_UPLOAD_BYTES + 1024 * 1024

# I18N
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

# STATIC AND MEDIA
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_STORAGE",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

# EMAIL: reminder digests, retention listings and password links. EMAIL_URL
# configures the whole connection, e.g.
# smtp+tls://user:password@smtp.example.nl:587 (see django-environ); without
# it the EMAIL_* variables one by one, and without those mail is printed on
# the console (the demo).
if "EMAIL_URL" in env:
    _email = env.email_url("EMAIL_URL")
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST = _email["EMAIL_HOST"] or "localhost"
    EMAIL_PORT = _email["EMAIL_PORT"] or 25
    EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
    EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
    EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
    EMAIL_FILE_PATH = _email["EMAIL_FILE_PATH"]
else:
    EMAIL_BACKEND = env.str(
        "EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
    )
    EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
    EMAIL_PORT = env.int("EMAIL_PORT", default=25)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="KV Monitor <noreply@localhost>"
)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where the application is reached, for links in e-mail (no trailing slash).
KV_BASE_URL = env.str("KV_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

# BACKGROUND WORK (django-q2, ORM broker: the queue is a table in the same
# database, shared by every worker on every machine). A task running longer
# than KV_QUEUE_TIMEOUT seconds is stopped; a task not acknowledged within
# KV_QUEUE_RETRY seconds (its worker died) is handed out again, so the retry
# must exceed the timeout. A failing task is tried KV_QUEUE_MAX_ATTEMPTS times.
# A national export takes about 150 s (README, Benchmarks).
KV_QUEUE_TIMEOUT = env.int("KV_QUEUE_TIMEOUT", default=1800)
KV_QUEUE_RETRY = env.int("KV_QUEUE_RETRY", default=1900)
KV_QUEUE_MAX_ATTEMPTS = env.int("KV_QUEUE_MAX_ATTEMPTS", default=3)
if KV_QUEUE_RETRY <= KV_QUEUE_TIMEOUT:
    raise ImproperlyConfigured("KV_QUEUE_RETRY must be larger than KV_QUEUE_TIMEOUT.")
Q_CLUSTER = {
    "name": "kvmonitor",
    "orm": "default",
    "workers": env.int("KV_QUEUE_WORKERS", default=2),
    "timeout": KV_QUEUE_TIMEOUT,
    "retry": KV_QUEUE_RETRY,
    "max_attempts": KV_QUEUE_MAX_ATTEMPTS,
    # one task at a time per worker: a long export does not hold others back
    "bulk": 1,
    "queue_limit": env.int("KV_QUEUE_WORKERS", default=2),
    "poll": env.float("KV_QUEUE_POLL_SECONDS", default=1.0),
    # a worker process is replaced after this many tasks (memory of exports)
    "recycle": 50,
    # a schedule missed while no worker ran runs once, not once per missed slot
    "catch_up": False,
    "save_limit": 500,
    "label": _("Background work"),
}
# Run tasks in the calling process instead of a worker (tests only).
KV_TASKS_SYNC = env.bool("KV_TASKS_SYNC", default=False)
# A running job renews its lease with every progress report; a job whose
# lease ran out lost its worker and may be taken over by a new delivery.
KV_JOB_LEASE_SECONDS = env.int("KV_JOB_LEASE_SECONDS", default=300)
if KV_JOB_LEASE_SECONDS >= KV_QUEUE_RETRY:
    raise ImproperlyConfigured("KV_JOB_LEASE_SECONDS must be below KV_QUEUE_RETRY.")
# The health endpoint fails when the worker's heartbeat (every minute) is older
# than this, or when a task has waited longer than this to be picked up.
KV_HEALTH_HEARTBEAT_MAX_AGE = env.int("KV_HEALTH_HEARTBEAT_MAX_AGE", default=180)
KV_HEALTH_QUEUE_MAX_WAIT = env.int("KV_HEALTH_QUEUE_MAX_WAIT", default=600)

# TABLES
DJANGO_TABLES2_TEMPLATE = "django_tables2/table.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table"}

# LOGGING: case data never goes to the log; only errors with request paths.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

# DOMAIN
# Days of inactivity after which a measurement moment counts as missed, and the
# follow-up moments after outflow, are configured per deployment.
KV_TUSSENMETING_INTERVAL_DAYS = env.int("KV_TUSSENMETING_INTERVAL_DAYS", default=90)
KV_NAMETING_MONTHS = env.list("KV_NAMETING_MONTHS", cast=int, default=[6, 12])
KV_MEASUREMENT_WINDOW_DAYS = env.int("KV_MEASUREMENT_WINDOW_DAYS", default=30)
# The version research exports name in "over dit bestand": pyproject's
# version, plus the release (e.g. a git commit) the deployment sets.
with (BASE_DIR / "pyproject.toml").open("rb") as _pyproject:
    KV_APP_VERSION = " ".join(
        part
        for part in (
            tomllib.load(_pyproject)["project"]["version"],
            env.str("KV_RELEASE", default=""),
        )
        if part
    )
# The programme overview reads figures the worker computes
# (dashboards/materialised.py): recomputed when older than REFRESH seconds,
# never shown when older than STALE seconds (the request computes instead),
# deleted when nobody read them for KEEP days. Off: every request computes.
KV_OVERVIEW_MATERIALISED = env.bool("KV_OVERVIEW_MATERIALISED", default=True)
KV_OVERVIEW_REFRESH_SECONDS = env.int("KV_OVERVIEW_REFRESH_SECONDS", default=300)
KV_OVERVIEW_STALE_SECONDS = env.int("KV_OVERVIEW_STALE_SECONDS", default=900)
KV_OVERVIEW_KEEP_DAYS = env.int("KV_OVERVIEW_KEEP_DAYS", default=2)

# RETENTION (core/retention.py, `manage.py retention`): years after which
# identifying data is pseudonymised, per kind of record.
KV_RETENTION_YEARS = {
    # intake case that did not lead to a placement, from its closing date
    "intake_case": env.int("KV_RETENTION_INTAKE_CASE_YEARS", default=2),
    # stay, from the outflow date
    "stay": env.int("KV_RETENTION_STAY_YEARS", default=5),
    # registered person without intake case or stay, from registration
    "person": env.int("KV_RETENTION_PERSON_YEARS", default=2),
    # audit-log event (user and details removed), from the event
    "audit_event": env.int("KV_RETENTION_AUDIT_EVENT_YEARS", default=7),
    # read-access log row (who looked at whose file; deleted), from the read
    "read_access": env.int("KV_RETENTION_READ_ACCESS_YEARS", default=5),
}
