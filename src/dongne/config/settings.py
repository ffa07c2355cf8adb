"""Settings, all read from the environment with documented defaults (docs/configuration.md).

With no variable set the platform runs embedded: SQLite in WAL mode and a data folder under ./var/.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR = Path(env("DONGNE_DATA_DIR", str(Path.cwd() / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
(DATA_DIR / "static").mkdir(exist_ok=True)

DEBUG = env_bool("DONGNE_DEBUG", False)
DEVELOPMENT_SECRET_KEY = "dongne-insecure-development-key-change-me-in-production-0123456789"
SECRET_KEY = env("DONGNE_SECRET_KEY", DEVELOPMENT_SECRET_KEY)
ALLOWED_HOSTS = env_list("DONGNE_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DONGNE_CSRF_TRUSTED_ORIGINS", "")
SITE_URL = env("DONGNE_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "huey.contrib.djhuey",
    "ninja",  # serves Swagger UI from local static files instead of a CDN
    "dongne.core",
    "dongne.network",
    "dongne.datahub",
    "dongne.insights",
    "dongne.governance",
    "dongne.opportunities",
    "dongne.programs",
    "dongne.spaces",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "dongne.core.middleware.ContentSecurityPolicyMiddleware",  # issue 9 hardening: CSP on every response
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "dongne.core.middleware.NulCharacterMiddleware",  # PostgreSQL text cannot hold U+0000: refused at the edge
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "dongne.core.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "dongne.config.urls"
WSGI_APPLICATION = "dongne.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dongne.core.context_processors.platform",
            ],
        },
    }
]

# --- database -------------------------------------------------------------------------------
SQLITE_PATH = DATA_DIR / "dongne.sqlite3"
DATABASE_URL = env("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=int(env("DONGNE_DB_CONN_MAX_AGE", "60")))
    }
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(SQLITE_PATH)}}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so read-then-write races become waits, not lost updates.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": int(env("DONGNE_SQLITE_TIMEOUT", "20")),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    # A file (not :memory:) so that concurrency tests can share the test database across threads.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-dongne.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = ["dongne.core.backends.RoleBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = env_list("DONGNE_PASSWORD_HASHERS", "") or [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# --- language and time ------------------------------------------------------------------------
LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env("DONGNE_TIME_ZONE", "Asia/Seoul")
USE_I18N = True
USE_TZ = True

# --- files ----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
WHITENOISE_USE_FINDERS = True
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = int(env("DONGNE_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))

# --- e-mail ----------------------------------------------------------------------------------
EMAIL_BACKEND = env("DONGNE_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("DONGNE_EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("DONGNE_EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("DONGNE_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env("DONGNE_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DONGNE_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DONGNE_EMAIL_FROM", "동네 사무국 <noreply@dongne.local>")

# --- security (production values come from the environment) ----------------------------------
# DONGNE_HTTPS=true is the production switch: HTTPS-only cookies, redirect to HTTPS, HSTS. Behind a proxy that
# terminates TLS, DONGNE_PROXY_SSL_HEADER=true trusts its X-Forwarded-Proto (only set it when the proxy
# overwrites that header). `manage.py check --deploy` is clean with these (tests/core/test_deploy_settings.py).
HTTPS = env_bool("DONGNE_HTTPS", False)
SESSION_COOKIE_SECURE = env_bool("DONGNE_SECURE_COOKIES", HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = int(env("DONGNE_HSTS_SECONDS", "31536000" if HTTPS else "0"))
# The platform's host and its subdomains are HTTPS-only; "preload" only allows a submission to the browsers'
# preload list, which stays the domain owner's decision.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DONGNE_HSTS_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = env_bool("DONGNE_HSTS_PRELOAD", HTTPS)
if env_bool("DONGNE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

MESSAGE_TAGS = {40: "error"}
PAGE_SIZE = int(env("DONGNE_PAGE_SIZE", "25"))
INVITATION_DAYS = int(env("DONGNE_INVITATION_DAYS", "14"))
API_RATE_LIMIT = int(env("DONGNE_API_RATE_LIMIT", "600"))  # requests per token per minute
# API list pages (?limit=&offset=) with bounds in the OpenAPI schema (issue 9, API fuzzing)
NINJA_PAGINATION_CLASS = "dongne.core.pagination.ApiPagination"
LOGIN_ATTEMPTS = int(env("DONGNE_LOGIN_ATTEMPTS", "5"))  # failed logins per address or IP …
LOGIN_LOCK_MINUTES = int(env("DONGNE_LOGIN_LOCK_MINUTES", "15"))  # … within this many minutes lock it

# --- data lake and background jobs ---------------------------------------------------------------
LAKE_ROOT = Path(env("DONGNE_LAKE_DIR", str(DATA_DIR / "lake"))).resolve()
UPLOAD_DIR = DATA_DIR / "uploads"
REDIS_URL = env("DONGNE_REDIS_URL", "")
QUEUE_NAME = env("DONGNE_QUEUE_NAME", "dongne")  # two platforms on one Redis need two names
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": QUEUE_NAME,
        "url": REDIS_URL,
        "immediate": env_bool("DONGNE_JOBS_IMMEDIATE", False),
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "dongne",
        "filename": str(DATA_DIR / "jobs.sqlite3"),
        "immediate": env_bool("DONGNE_JOBS_IMMEDIATE", False),
    }
HUEY["consumer"] = {"workers": int(env("DONGNE_JOB_WORKERS", "1")), "worker_type": "thread"}
# The cache (rendered insights charts): shared on Redis when there is one, else each process keeps its own.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": QUEUE_NAME,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "dongne"}}
INSIGHTS_CHARTS_CACHE_SECONDS = int(env("DONGNE_INSIGHTS_CACHE_SECONDS", "3600"))
DATAHUB_MAX_ROWS = int(env("DONGNE_DATAHUB_MAX_ROWS", "10000"))  # rows one API/SQL call may return
DATAHUB_SQL_TIMEOUT = float(env("DONGNE_DATAHUB_SQL_TIMEOUT", "10"))  # seconds before a SQL query is stopped
INSIGHTS_MIN_COUNT = int(env("DONGNE_INSIGHTS_MIN_COUNT", "10"))  # k: smaller published counts are suppressed
TOURAPI_BASE_URL = env("DONGNE_TOURAPI_BASE_URL", "https://apis.data.go.kr/B551011/KorService2")
TOURAPI_KEY = env("DONGNE_TOURAPI_KEY", "")
# spaces (tenant complex): days before a lease ends that the tenant is told; day of the month rent is due
SPACES_NOTICE_DAYS = int(env("DONGNE_SPACES_NOTICE_DAYS", "90"))
SPACES_RENT_DUE_DAY = int(env("DONGNE_SPACES_RENT_DUE_DAY", "10"))

# programs: waiting-list offers and exhibition inquiries
PROGRAMS_OFFER_HOURS = int(env("DONGNE_PROGRAMS_OFFER_HOURS", "24"))  # hours a promoted person has to confirm
PROGRAMS_INQUIRY_LIMIT = int(env("DONGNE_PROGRAMS_INQUIRY_LIMIT", "5"))  # inquiries per hour per IP or e-mail
PROGRAMS_INQUIRY_MIN_SECONDS = int(env("DONGNE_PROGRAMS_INQUIRY_MIN_SECONDS", "3"))  # faster forms are bots
# opportunities: funding-call feeds (기업마당 bizinfo, K-Startup); tests point the URLs at a local server.
BIZINFO_BASE_URL = env("DONGNE_BIZINFO_BASE_URL", "https://www.bizinfo.go.kr/uss/rss/bizinfoApi.do")
BIZINFO_KEY = env("DONGNE_BIZINFO_KEY", "")
KSTARTUP_BASE_URL = env(
    "DONGNE_KSTARTUP_BASE_URL",
    "https://apis.data.go.kr/B552735/kisedKstartupService01/getAnnouncementInformation01",
)
KSTARTUP_KEY = env("DONGNE_KSTARTUP_KEY", "")
# governance: alerts before officers' terms end, and before the 경영공시 deadline (제96조의2)
GOVERNANCE_TERM_ALERT_DAYS = int(env("DONGNE_GOVERNANCE_TERM_ALERT_DAYS", "60"))
GOVERNANCE_DISCLOSURE_REMINDER_DAYS = int(env("DONGNE_GOVERNANCE_DISCLOSURE_REMINDER_DAYS", "30"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DONGNE_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- issue 9 hardening -------------------------------------------------------------------------------------
# Uploads are checked by size and content (core/uploads.py): documents and pictures, and data hub data files
# (larger ones go through `dongne ingest`).
UPLOAD_MAX_MB = int(env("DONGNE_UPLOAD_MAX_MB", "20"))
DATA_UPLOAD_MAX_MB = int(env("DONGNE_DATA_UPLOAD_MAX_MB", "2048"))
# /health (core/health.py): the data folder check fails below this much free space; monitors on the server
# itself may call /health over plain HTTP without being redirected to HTTPS.
HEALTH_MIN_FREE_MB = int(env("DONGNE_HEALTH_MIN_FREE_MB", "1024"))
SECURE_REDIRECT_EXEMPT = [r"^health$"]
