"""Diaodu settings: one module, everything read from the environment (see envconf.py)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from diaodu import envconf

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("DIAODU_VAR_DIR", BASE_DIR / "var"))

try:
    DEBUG = envconf.env_bool("DIAODU_DEBUG", False)
    SECRET_KEY = envconf.secret_key(os.environ, VAR_DIR)
    # The audit chain's keyed hash (docs/audit.md): HMAC-SM3 (GB/T 32905) or HMAC-SHA-256.
    AUDIT_HASH = envconf.env_choice("DIAODU_AUDIT_HASH", "sm3", ("sm3", "sha256"))
    AUDIT_KEY_ID, AUDIT_KEYS = envconf.audit_keys(os.environ, VAR_DIR)
    ALLOWED_HOSTS = envconf.env_list(
        "DIAODU_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"]
    )
    DATABASES = {
        "default": envconf.parse_database_url(
            os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR.resolve()}/diaodu.sqlite3",
            BASE_DIR,
        )
    }
    REDIS_URL = envconf.parse_redis_url(os.environ.get("REDIS_URL"))
    SESSION_IDLE_TIMEOUT = (
        envconf.env_int("DIAODU_SESSION_IDLE_MINUTES", 30, minimum=1, maximum=24 * 60) * 60
    )
    LOCKOUT_THRESHOLD = envconf.env_int("DIAODU_LOCKOUT_THRESHOLD", 5, minimum=1, maximum=100)
    LOCKOUT_MINUTES = envconf.env_int("DIAODU_LOCKOUT_MINUTES", 15, minimum=1, maximum=24 * 60)
    CSRF_TRUSTED_ORIGINS = envconf.env_list("DIAODU_CSRF_TRUSTED_ORIGINS", [])
    EMAIL_HOST = os.environ.get("DIAODU_EMAIL_HOST", "")
    EMAIL_PORT = envconf.env_int("DIAODU_EMAIL_PORT", 25, minimum=1, maximum=65535)
    EMAIL_HOST_USER = os.environ.get("DIAODU_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("DIAODU_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = envconf.env_bool("DIAODU_EMAIL_TLS", False)
    DEFAULT_FROM_EMAIL = os.environ.get("DIAODU_EMAIL_FROM", "diaodu@localhost")
    MAP_TILE_URL = os.environ.get("DIAODU_MAP_TILE_URL", "")
    SITE_URL = envconf.env_url(
        "DIAODU_SITE_URL"
    )  # makes links in e-mails and robot messages absolute
    # Behind TLS (nginx terminating https): Secure cookies follow the site's address unless set;
    # the proxy's X-Forwarded-Proto is trusted only when the deployment says it sets it; HSTS
    # is opt-in because it binds browsers to https for its whole lifetime.
    SECURE_COOKIES = envconf.env_bool("DIAODU_SECURE_COOKIES", SITE_URL.startswith("https://"))
    SECURE_PROXY_SSL_HEADER = (
        ("HTTP_X_FORWARDED_PROTO", "https")
        if envconf.env_bool("DIAODU_BEHIND_TLS_PROXY", False)
        else None
    )
    SECURE_HSTS_SECONDS = envconf.env_int(
        "DIAODU_HSTS_SECONDS", 0, minimum=0, maximum=2 * 365 * 24 * 3600
    )
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envconf.env_bool("DIAODU_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_SSL_REDIRECT = envconf.env_bool("DIAODU_SSL_REDIRECT", False)
    # The one limit for every uploaded file (photos, attachments, scans, Excel imports), in MB.
    UPLOAD_MAX_MB = envconf.env_int("DIAODU_UPLOAD_MAX_MB", 30, minimum=1, maximum=1024)
    AT_RISK_SLACK_WD = envconf.env_int("DIAODU_AT_RISK_SLACK_WD", 5, minimum=0, maximum=60)
    # Uploads: a directory shared by every app server, or an S3-compatible bucket.
    STORAGES, MEDIA_ROOT = envconf.storages(os.environ, VAR_DIR)
    # A streaming replica for reads (docs/production.md): a client that has just written keeps
    # reading from the primary for a while, so it always sees its own writes.
    REPLICA_URL = os.environ.get("DIAODU_REPLICA_URL", "").strip()
    if REPLICA_URL:
        DATABASES["replica"] = envconf.parse_database_url(REPLICA_URL, BASE_DIR)
        DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    READ_REPLICA = bool(REPLICA_URL)
    DATABASE_ROUTERS = ["diaodu.ops.dbrouter.PrimaryReplicaRouter"] if READ_REPLICA else []
    REPLICA_PIN_SECONDS = envconf.env_int("DIAODU_REPLICA_PIN_SECONDS", 10, minimum=0, maximum=3600)
except envconf.ConfigError as exc:  # a bad value stops start-up with a clear message
    raise ImproperlyConfigured(f"配置错误 / configuration error: {exc}") from None

if (
    DATABASES["default"]["ENGINE"].endswith("sqlite3")
    and DATABASES["default"]["NAME"] != ":memory:"
):
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # The test database is a file, not memory: tests of the worker and the scheduler start real
    # processes that open the same database (pytest-xdist adds _gw0, _gw1 … to the name).
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR.resolve() / "test-diaodu.sqlite3")}

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks.backends.database",
    "ninja",  # Swagger UI from the package's own static files, never a CDN
    "diaodu.audit",
    "diaodu.ops",
    "diaodu.org",
    "diaodu.projects",
    "diaodu.procedures",
    "diaodu.notify",
    "diaodu.supervision",
    "diaodu.targets",
    "diaodu.tasks",
    "diaodu.web",
    "diaodu.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "diaodu.web.middleware.SecurityHeadersMiddleware",
    "diaodu.web.middleware.InputGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "diaodu.audit.middleware.RequestContextMiddleware",
    "diaodu.ops.dbrouter.ReplicaPinMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "diaodu.web.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "diaodu.org.middleware.AuthPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "diaodu.urls"
WSGI_APPLICATION = "diaodu.wsgi.application"
AUTH_USER_MODEL = "org.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "diaodu.web.context.shell",
            ],
            # period_name and the like, in every template without a {% load %}
            "builtins": ["diaodu.i18n_tags"],
        },
    }
]

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "diaodu.org.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "diaodu.org.passwords.CharacterClassValidator"},
    {"NAME": "diaodu.org.passwords.NotUsernameValidator"},
    {"NAME": "diaodu.org.passwords.CommonPasswordValidator"},
]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
if "pytest" in sys.modules or os.environ.get("DIAODU_FAST_HASHER") == "1":
    # Tests create hundreds of accounts; a slow hash only costs time there.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The cookie outlives the idle limit so that the policy middleware, not the browser, ends an
# idle session: it can then say why (会话已超时) and write the `timeout` login-log entry.
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT + 12 * 3600
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "diaodu.web.errors.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "diaodu" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS: list = []
WHITENOISE_USE_FINDERS = True  # serve straight from the apps when collectstatic has not run
MEDIA_URL = "/media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

if "pytest" in sys.modules:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }  # no state between runs
elif REDIS_URL:
    # Redis is an accelerator: when it is away, reads answer "not cached" and pages compute.
    CACHES = {
        "default": {
            "BACKEND": "diaodu.ops.cache.FallbackRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "diaodu",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
else:
    # A file cache is shared by the web and worker processes of one machine (import progress);
    # deployments with several servers set REDIS_URL.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

TASKS = {"default": {"BACKEND": "django_tasks.backends.database.DatabaseBackend"}}
if REDIS_URL:
    # django-tasks' RQ backend with a transactional outbox (diaodu/ops/outbox.py): a task is
    # recorded in the caller's transaction and reaches Redis after commit, or later if it was away.
    TASKS = {"default": {"BACKEND": "diaodu.ops.outbox.OutboxRQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {
        "default": {
            "URL": REDIS_URL,
            "REDIS_CLIENT_KWARGS": {"socket_connect_timeout": 2, "health_check_interval": 30},
        }
    }
    INSTALLED_APPS.append("django_rq")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
