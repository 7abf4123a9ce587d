"""
Lifesupport settings: one module, read from the environment with django-environ.

A fresh clone runs with no configuration (SQLite under var/). Production differs only
by environment variables; `.env.example` lists every one of them.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# Optional local file (git-ignored); real environment variables win over it.
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY: it is required when DEBUG is off.")
    SECRET_KEY = "insecure-key-for-local-development-only"  # noqa: S105 (DEBUG only)

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "template_partials",
    "accounts",
    "network",
    "members",
    "consultations",
    "referrals",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.SessionRefreshMiddleware",
    # Deny by default: every view needs a login unless marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "lifesupport.urls"
WSGI_APPLICATION = "lifesupport.wsgi.application"

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
            ],
        },
    },
]

# Unset or empty: an SQLite file under var/. PostgreSQL: postgres://user:password@host:5432/name
DATABASE_URL = env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Keep connections between requests, but check them first so a restarted
    # PostgreSQL costs one failed check, not a failed request.
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Web requests must end before gunicorn's timeout kills their worker: gunicorn.conf.py
    # sets these limits, and a query that runs or waits behind a lock too long is then
    # cancelled and the user gets the 503 page (accounts.views.server_error). Commands
    # (migrations, imports, the scale generator) run without them (0 = no limit).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options",
        "-c statement_timeout={} -c lock_timeout={}".format(
            env.int("DATABASE_STATEMENT_TIMEOUT_MS", default=0),
            env.int("DATABASE_LOCK_TIMEOUT_MS", default=0),
        ),
    )
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    # Older hashes still verify and are upgraded to Argon2 at the next login.
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# Length and a common-password list, no composition rules (NIST 800-63B, ASVS 6.2).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# smtp+tls://user:password@host:587 in production; printed to the console by default.
vars().update(env.email_url("DJANGO_EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="lifesupport@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ADMINS = [("Admin", address) for address in env.list("DJANGO_ADMINS", default=[])]
# The address staff and partners reach the app at, for links in e-mails (partner answer
# links, follow-up reminders): taken from here, never from a request's Host header.
SITE_URL = env.str("DJANGO_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# One cache for all gunicorn workers, in files (no cache server to run): the statistics
# dashboard's figures and the intake's choices are worked out once, not once per worker,
# and a change seen by one worker is seen by all. Aggregates and choices only, no names.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": env.str("DJANGO_CACHE_DIR", default=str(BASE_DIR / "var" / "cache")),
    }
}
# How long the statistics dashboard's figures are kept before they are counted again
# (seconds); the page says when they were counted.
REPORTS_CACHE_SECONDS = env.int("REPORTS_CACHE_SECONDS", default=10 * 60)

# HTTPS, cookies and headers: on whenever DEBUG is off (`check --deploy` is clean).
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
# "__Host-" cookies are only accepted over HTTPS, without a Domain and on Path=/.
SESSION_COOKIE_NAME = "sessionid" if DEBUG else "__Host-sessionid"
CSRF_COOKIE_NAME = "csrftoken" if DEBUG else "__Host-csrftoken"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Staff leave shared counter PCs: a session ends 30 minutes after the last request.
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=30 * 60)
# The timeout is moved forward by accounts.middleware.SessionRefreshMiddleware, at most
# once a minute, instead of a session write at every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = 0 if DEBUG else env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind a reverse proxy that terminates TLS and sets X-Forwarded-Proto.
if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Outside DEBUG one JSON object a line, timestamped in UTC, for shipping off the box: a
# line break or a forged "INFO ..." inside a value (a username typed at the login form)
# stays inside its JSON string, and non-ASCII is escaped too (U+2028 breaks lines in
# some readers). DEBUG keeps plain text for the console.
LOG_FORMAT = env.str("DJANGO_LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": True,
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
}
