"""Settings for bergen_rus, read from the environment.

Every value that differs between a laptop and production comes from an environment variable, parsed by one of the
small helpers below; a malformed value stops start-up with ImproperlyConfigured instead of being guessed at.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name, default=None):
    value = os.environ.get(name)
    return default if value is None else value


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of {sorted(_TRUE | _FALSE)}, got {value!r}")


def env_int(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None


def env_list(name, default=()):
    value = os.environ.get(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-local-development-key-only-used-when-debug-is-on"  # noqa: S105 (never in production)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_filters",
    "django_htmx",
    "csp",
    "axes",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "rest_framework",
    "drf_spectacular",
    "decisions",
    "measures",
    "measures.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "bergen_rus.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "bergen_rus.middleware.NoNullCharacterMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "bergen_rus.middleware.HtmxLoginRedirectMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its own response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bergen_rus.urls"

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

# Form widgets render through the template engine, so the project's templates/forms/ can define widgets.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

WSGI_APPLICATION = "bergen_rus.wsgi.application"

# SQLite under var/ unless DATABASE_URL names another database (postgres://… uses psycopg 3).
_default_sqlite = f"sqlite:///{BASE_DIR / 'var' / 'bergen_rus.sqlite3'}"
try:
    DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL", _default_sqlite), conn_max_age=60)}
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL Django understands: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The worker, the web server and a render read and write one file at once: in WAL mode a reader never waits for
    # a writer nor a writer for readers, and a writer waits up to 20 s for another (instead of failing after 5 s).
    # A transaction takes the write lock when it begins (IMMEDIATE): one that read first and then wanted to write
    # after another had written would fail at once, without waiting.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # The test database is a file too, so that a worker or server started by a test as a process of its own
    # (tests/reports/test_worker.py) shares it; one per test run, so that two runs in one checkout never share one.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(DATABASES["default"]["NAME"]).with_name(f"test-{os.getpid()}.sqlite3"))
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FORMS_URLFIELD_ASSUME_HTTPS = True  # the Django 6 default: a link typed without a scheme is https

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a login from a locked-out username/address before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, with each person's permissions kept in the cache between requests.
    "bergen_rus.auth_backends.CachedPermissionsBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norwegian Bokmål")), ("en", _("English"))]
# The project's catalog, then translations of Django's own strings that Django's Norwegian catalogs lack (the admin).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "upstream"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "var" / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Production serves hashed, compressed files collected by `collectstatic`; DEBUG serves them from the source tree.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Rendered reports and pages are cached, keyed by the data's last change (see measures.caching): on disk under
# var/cache (CACHE_DIR), shared by every worker process of one machine, or, when REDIS_URL is set, in Redis, shared by
# every application server and worker that uses it (Django's built-in Redis backend). REDIS_KEY_PREFIX sets several
# sites (or test runs) apart in one Redis database.
CACHE_DIR = Path(env_str("CACHE_DIR", str(BASE_DIR / "var" / "cache")))
CACHE_TIMEOUT = env_int("CACHE_TIMEOUT", 7 * 24 * 60 * 60)
# How long a finished PDF report is kept (and so how long the link in its e-mail works, while the data is the same);
# `manage.py expire_reports` (run by the worker) removes older files and the records of their jobs.
REPORT_FILE_SECONDS = env_int("REPORT_FILE_SECONDS", 7 * 24 * 60 * 60)
REDIS_URL = env_str("REDIS_URL", "")
_REDIS_PREFIX = env_str("REDIS_KEY_PREFIX", "bergen_rus")


def _cache(name, *, timeout=CACHE_TIMEOUT, max_entries=2000):
    if REDIS_URL:
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "TIMEOUT": timeout,
            "KEY_PREFIX": f"{_REDIS_PREFIX}:{name}",
        }
    return {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(CACHE_DIR if name == "default" else CACHE_DIR / name),
        "TIMEOUT": timeout,
        "OPTIONS": {"MAX_ENTRIES": max_entries},
    }


CACHES = {
    # Pages and the data version.
    "default": _cache("default"),
    # Rendered PDF reports, apart from the pages: many cheap pages must not push an expensive report out.
    "reports": _cache("reports", timeout=REPORT_FILE_SECONDS),
    # Counters that limit how often something may happen (password reset mails, uncached reports), apart from the
    # pages, so that requesting many pages cannot push a counter out.
    "limits": _cache("limits", timeout=None, max_entries=10000),
}

# Background jobs (the PDF reports) on Django's task framework (the django-tasks backport): the database backend by
# default, on SQLite or PostgreSQL alike; `manage.py report_worker` runs them (`make run` starts one).
TASKS = {"default": {"BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

# The budget of the report renders. At most REPORT_RENDERS_AT_ONCE run at once over all workers (the rest wait in the
# queue); each runs in a child process whose address space may grow by REPORT_MEMORY_LIMIT_MB beyond the ~100 MB of
# Python, Django and WeasyPrint (a list of 1,000 measures needs less than 500 MB) and which is stopped after
# REPORT_RENDER_SECONDS. A running job renews its lease every few seconds; one whose lease (REPORT_LEASE_SECONDS) ran
# out, because its worker died, is queued again (at most REPORT_ATTEMPTS times).
# The open-data archive is made again by the worker this long after the data's last change (a burst of reports makes
# one archive); meanwhile the download hands over the one before.
OPEN_DATA_ARCHIVE_QUIET_SECONDS = env_int("OPEN_DATA_ARCHIVE_QUIET_SECONDS", 60)
REPORT_RENDERS_AT_ONCE = env_int("REPORT_RENDERS_AT_ONCE", 2)
REPORT_MEMORY_LIMIT_MB = env_int("REPORT_MEMORY_LIMIT_MB", 4096)
REPORT_RENDER_SECONDS = env_int("REPORT_RENDER_SECONDS", 15 * 60)
REPORT_LEASE_SECONDS = env_int("REPORT_LEASE_SECONDS", 30)
REPORT_ATTEMPTS = env_int("REPORT_ATTEMPTS", 3)
# Render in a child process (production); off, the worker renders in its own process (the test suite's setting).
REPORT_RENDER_IN_CHILD = env_bool("REPORT_RENDER_IN_CHILD", True)
# Someone who is not logged in may start at most REPORT_RATE_LIMIT renders of reports not made yet per
# REPORT_RATE_WINDOW seconds from one address (the cached ones are free); past that the answer is 429.
REPORT_RATE_LIMIT = env_int("REPORT_RATE_LIMIT", 10)
REPORT_RATE_WINDOW = env_int("REPORT_RATE_WINDOW", 10 * 60)
# A failed report is not tried again for this long: asking again in the meantime shows the failure.
REPORT_FAILED_SECONDS = env_int("REPORT_FAILED_SECONDS", 10 * 60)
# How long a cache in front (nginx, a CDN, the browser) may serve a public page or report without asking again; it
# then asks with If-None-Match / If-Modified-Since and gets 304 until the data changes.
PUBLIC_CACHE_SECONDS = env_int("PUBLIC_CACHE_SECONDS", 0)

# The largest report (records) made for someone who is not logged in; larger ones need a login. A logged-in person
# may have reports of up to LOGGED_IN_REPORT_LIMIT records (some 570 pages: about a minute and 2 GB to render).
PUBLIC_REPORT_LIMIT = env_int("PUBLIC_REPORT_LIMIT", 1000)
LOGGED_IN_REPORT_LIMIT = env_int("LOGGED_IN_REPORT_LIMIT", 3000)

# Spreadsheet import (measures.spreadsheets.reading): the largest file taken, and how much an .xlsx (a zip) may
# unpack to before openpyxl reads it, so a zip bomb is refused before it is unpacked.
SPREADSHEET_MAX_BYTES = env_int("SPREADSHEET_MAX_BYTES", 20_000_000)
SPREADSHEET_MAX_UNPACKED_BYTES = env_int("SPREADSHEET_MAX_UNPACKED_BYTES", 200_000_000)
# The check and the import of an upload run as background jobs (measures.spreadsheets.jobs). An attempt that has run
# longer than IMPORT_JOB_SECONDS is taken for lost (its worker died) and started again, at most IMPORT_ATTEMPTS
# times; an attempt still alive then cannot finish (its transaction is rolled back), so this must be longer than the
# longest import.
IMPORT_JOB_SECONDS = env_int("IMPORT_JOB_SECONDS", 30 * 60)
IMPORT_ATTEMPTS = env_int("IMPORT_ATTEMPTS", 3)

# The read-only JSON API (measures/api/). Nobody is authenticated there: every request reads what an anonymous visitor
# reads, and is counted per address (API_ANON_RATE, e.g. «120/min»; 429 with Retry-After beyond it).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_THROTTLE_CLASSES": ["measures.api.throttling.PublicReadThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": env_str("API_ANON_RATE", "120/min")},
    # The client's address: REMOTE_ADDR, or behind the TLS proxy the one address it adds to X-Forwarded-For (never
    # an address the client wrote itself).
    "NUM_PROXIES": 1 if env_bool("BEHIND_TLS_PROXY", False) else 0,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_VERSIONING_CLASS": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Ruspolitikken i Bergen – åpne data",
    "DESCRIPTION": (
        "Read-only access to the public records of the drug-policy tracker of Bergen kommune: decisions, platforms, "
        "commitments, action plans, measures and their status updates, periods, places, units and indicators. "
        "Everything here is public; nothing that needs a login on the site is in it."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": False,
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
}

# Mail: printed to the console while developing, sent over SMTP in production.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "rusoppfolging@bergen.kommune.no")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where people report an accessibility problem; named on the accessibility statement (/tilgjengelighet/).
ACCESSIBILITY_CONTACT = env_str("ACCESSIBILITY_CONTACT", DEFAULT_FROM_EMAIL)
try:
    validate_email(ACCESSIBILITY_CONTACT)
except ValidationError:
    raise ImproperlyConfigured(
        f"ACCESSIBILITY_CONTACT must be an e-mail address, got {ACCESSIBILITY_CONTACT!r}"
    ) from None
# The address written into links in e-mails and printed on the PDFs (reminders are sent by a command, outside any
# request). Locally it follows the address the development server listens on: `make run HOST=127.0.0.1:8101` passes
# RUNSERVER_ADDRESS, so the login hint and «Tiltaket på nettet» name the port people actually use.
RUNSERVER_ADDRESS = env_str("RUNSERVER_ADDRESS", "127.0.0.1:8000")
if RUNSERVER_ADDRESS.isdigit():  # runserver accepts a bare port
    RUNSERVER_ADDRESS = f"127.0.0.1:{RUNSERVER_ADDRESS}"
SITE_URL = env_str("SITE_URL", f"http://{RUNSERVER_ADDRESS}").rstrip("/")

# Open data (measures/opendata/): the licence the archive and the API are published under, and the publisher and
# contact point its DCAT-AP-NO description names (the organisation number in Enhetsregisteret: Bergen kommune).
OPEN_DATA_LICENSE_URL = env_str("OPEN_DATA_LICENSE_URL", "https://data.norge.no/nlod/no/2.0")
OPEN_DATA_LICENSE_NAME = env_str("OPEN_DATA_LICENSE_NAME", "NLOD-2.0")
OPEN_DATA_LICENSE_TITLE = env_str("OPEN_DATA_LICENSE_TITLE", "Norsk lisens for offentlige data (NLOD) 2.0")
OPEN_DATA_PUBLISHER_ID = env_str("OPEN_DATA_PUBLISHER_ID", "964338531")
OPEN_DATA_PUBLISHER_NAME = env_str("OPEN_DATA_PUBLISHER_NAME", "Bergen kommune")
OPEN_DATA_CONTACT_EMAIL = env_str("OPEN_DATA_CONTACT_EMAIL", DEFAULT_FROM_EMAIL)

# Security. Production (DEBUG off) gets HTTPS-only cookies and HSTS; the values can be tuned from the environment.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# A session ends after SESSION_COOKIE_AGE seconds without a request (the expiry moves with every request).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 2 * 60 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

# A strict Content-Security-Policy: scripts, styles, fonts and images only from this site; no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
    }
}

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failed attempts for one username from one address, that
# combination is locked out for AXES_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = 1 if env_bool("BEHIND_TLS_PROXY", False) else None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # django-axes logs every login attempt at INFO; lockouts (WARNING) are what an operator needs to see.
    "loggers": {"axes": {"level": "WARNING"}},
}
