"""Settings, all from the environment (django-environ).

Every value has a working default except secrets: with DEBUG on, SECRET_KEY and FIELD_ENCRYPTION_KEY
not set in the environment come from a keys file beside the database, generated with random keys at the
first start (config/keys.py, SEC-1); with DEBUG off the process refuses to start without them.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from config import keys as dev_keys

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

DEBUG = env.bool("DEBUG", default=True)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "import_export",
    "django_q",
    "integration",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"

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

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (the django-q2 cluster, the demo's web server) share one file: WAL lets readers
    # and a writer work together, and IMMEDIATE transactions take the write lock when they begin, so a
    # writer waits up to `timeout` seconds for another instead of failing at once with "database is
    # locked" (SQLite does not wait when a read transaction tries to become a write one).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=20, transaction_mode="IMMEDIATE", init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Secrets (SEC-1, REL-7). SECRET_KEY signs sessions and CSRF tokens; FIELD_ENCRYPTION_KEY holds the Fernet
# key(s) that encrypt the stored tokens: several comma-separated keys rotate (the first encrypts, all decrypt).
SECRET_KEY = env.str("SECRET_KEY", default="")
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default="")
# Where a development install keeps its generated keys (used only with DEBUG on and a key not set).
KEYS_FILE = dev_keys.keys_file_for(DATABASES["default"], BASE_DIR)
if not DEBUG:
    for _name in dev_keys.NAMES:
        if not globals()[_name]:
            raise ImproperlyConfigured(
                f"{_name} must be set when DEBUG is off."
                + (f" This database's development keys are in {KEYS_FILE}: put them in the environment."
                   if KEYS_FILE.exists() else ""))
elif not SECRET_KEY or not FIELD_ENCRYPTION_KEY:
    try:
        _generated = dev_keys.load_or_create(KEYS_FILE)
    except dev_keys.KeysFileError as exc:
        raise ImproperlyConfigured(str(exc)) from None
    SECRET_KEY = SECRET_KEY or _generated["SECRET_KEY"]
    FIELD_ENCRYPTION_KEY = FIELD_ENCRYPTION_KEY or _generated["FIELD_ENCRYPTION_KEY"]
for _key in filter(None, (k.strip() for k in FIELD_ENCRYPTION_KEY.split(","))):
    if _problem := dev_keys.fernet_key_problem(_key):
        raise ImproperlyConfigured(
            f"FIELD_ENCRYPTION_KEY must be one or more comma-separated Fernet keys; one of them is not ({_problem}). "
            "Generate one with: python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

MEDIA_URL = "media/"
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(BASE_DIR / "media"))
STATIC_URL = "static/"
STATIC_ROOT = env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))

LOGIN_URL = "admin:login"

# CSV imports (WBS-4): one size limit, counted while the upload streams in (a larger file is dropped
# past the limit, never held whole). The preview sends the file back as a form field for the
# confirmation, and a browser may turn every line break into CRLF on the way, so a field may reach
# twice the file's size: Django's own limits are set from this one, so a file that previews confirms.
CSV_IMPORT_MAX_BYTES = env.int("CSV_IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * CSV_IMPORT_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = CSV_IMPORT_MAX_BYTES

# Email: console by default, any backend through EMAIL_URL (smtp://user:pass@host:587).
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="connector@localhost")

# The services. Defaults are the real ones; point them at `manage.py sandbox` for a local fake.
PROCORE_API_URL = env.str("PROCORE_API_URL", default="https://api.procore.com").rstrip("/")
PROCORE_LOGIN_URL = env.str("PROCORE_LOGIN_URL", default="https://login.procore.com").rstrip("/")
PROCORE_WEB_URL = env.str("PROCORE_WEB_URL", default="https://app.procore.com").rstrip("/")
XERO_API_URL = env.str("XERO_API_URL", default="https://api.xero.com").rstrip("/")
XERO_IDENTITY_URL = env.str("XERO_IDENTITY_URL", default="https://identity.xero.com").rstrip("/")
XERO_LOGIN_URL = env.str("XERO_LOGIN_URL", default="https://login.xero.com").rstrip("/")
PROCORE_CLIENT_ID = env.str("PROCORE_CLIENT_ID", default="")
PROCORE_CLIENT_SECRET = env.str("PROCORE_CLIENT_SECRET", default="")
XERO_CLIENT_ID = env.str("XERO_CLIENT_ID", default="")
XERO_CLIENT_SECRET = env.str("XERO_CLIENT_SECRET", default="")
XERO_WEBHOOK_KEY = env.str("XERO_WEBHOOK_KEY", default="")
# The secret registered as the Procore hook's Authorization header (sent back with every delivery, REL-4).
PROCORE_WEBHOOK_SECRET = env.str("PROCORE_WEBHOOK_SECRET", default="")
# "granular" for Xero apps created since 2 March 2026, "broad" for older apps.
XERO_SCOPES = env.str("XERO_SCOPES", default="granular")
HTTP_TIMEOUT = env.float("HTTP_TIMEOUT", default=30.0)
# How long an export worker holds the records it claimed; a killed worker's records wait this long.
EXPORT_LEASE_SECONDS = env.int("EXPORT_LEASE_SECONDS", default=900)

# django-q2: the ORM broker by default, Redis when REDIS_URL is set. `timeout` stays below
# `retry` so that a task is never handed to a second worker while the first still runs it.
REDIS_URL = env.str("REDIS_URL", default="")
Q_CLUSTER = {
    "name": env.str("Q_CLUSTER_NAME", default="connector"),
    "workers": env.int("Q_WORKERS", default=2),
    "timeout": env.int("Q_TIMEOUT", default=600),
    "retry": env.int("Q_RETRY", default=720),
    "max_attempts": env.int("Q_MAX_ATTEMPTS", default=3),
    "queue_limit": 50,
    "bulk": 10,
    "catch_up": False,
    "save_limit": 1000,
    "label": "Django Q2",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "integration.logging.RedactSecretsFilter"},
                "refusals": {"()": "integration.logging.OneLineRefusals"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["refusals", "redact"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Where this connector is reached by a browser: the OAuth redirect URIs are built on it
# (<CONNECTOR_BASE_URL>/connect/xero/callback and /connect/procore/callback); register exactly those.
CONNECTOR_BASE_URL = env.str("CONNECTOR_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Xero's web app, for the deep links that open a record's document in Xero (SYNC-6).
XERO_WEB_URL = env.str("XERO_WEB_URL", default="https://go.xero.com").rstrip("/")
