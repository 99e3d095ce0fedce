"""Settings shared by every environment. Environment variables are the only knobs
(see README.md and ../shared/spec/api.md, "Running it")."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Everything a running instance writes (embedded databases, uploads, outbox) lives
# here, so two instances with different data dirs run side by side.
DATA_DIR = Path(os.environ.get("KPIHUB_DATA_DIR", BASE_DIR / ".kpihub")).expanduser().resolve()
BASE_DOMAIN = os.environ.get("KPIHUB_BASE_DOMAIN", "localhost")
PORT = int(os.environ.get("PORT", "8000"))

SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = [BASE_DOMAIN, f".{BASE_DOMAIN}"]

# --- Tenancy ---------------------------------------------------------------
# Decided once (moving an app between the lists later leaves tables missing):
# the platform (tenants, domains, platform staff) lives in public; each tenant's
# people, sessions, tokens and data live in the tenant's own schema, so nothing
# that authenticates on one tenant can mean anything on another.
SHARED_APPS = [
    "django_tenants",
    "tenants",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
]
TENANT_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "axes",
    # Two-factor authentication (accounts/two_factor.py): TOTP apps and recovery codes.
    # DRF's authtoken is gone: API tokens are accounts.ApiToken, stored hashed.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    "jobs",
    "metrics",
    "surveys",
    # The audit log (issue 16): triggers per tenant schema, so each company's events stay in it.
    "pgtrigger",
    "pghistory",
    "audit",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]
# django-pgtrigger's helper function unqualified, so each tenant schema gets its own,
# found on the search path like the tables (its default would put one in public).
PGTRIGGER_SCHEMA = None
# An event's time is when its statement ran, not when its transaction began: events of
# one transaction keep their order.
PGHISTORY_CREATED_AT_FUNCTION = "clock_timestamp()"

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
# New tenants are cloned from this schema, kept migrated like any tenant's, instead
# of running every migration per sign-up (django-tenants #617).
TENANT_BASE_SCHEMA = "tenant_template"
TENANT_CREATION_FAKES_MIGRATIONS = True
# Set the search path once per request and tenant switch, not before every query: it
# halves the round trips of a page (django-tenants resets it on every set_tenant).
TENANT_LIMIT_SET_CALLS = True
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
PUBLIC_SCHEMA_URLCONF = "kpihub.urls.public"
ROOT_URLCONF = "kpihub.urls.tenant"
RESERVED_SLUGS = frozenset(
    {"www", "admin", "api", "static", "media", "mail", "smtp", "ftp", "app", "public",
     "template", "tenant-template", "help", "support", "status", "blog", "docs", "dev"}
)

MIDDLEWARE = [
    "django_permissions_policy.PermissionsPolicyMiddleware",  # on every response, /healthz too
    "kpihub.health.HealthCheckMiddleware",
    "tenants.middleware.TenantMainMiddleware",  # django-tenants' routing, the host lower-cased
    "kpihub.bad_input.UnstorableTextMiddleware",  # NUL and lone surrogates: 404/400, never a 500
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tenants.middleware.TenantStatusMiddleware",
    "tenants.middleware.CompanyTimeZoneMiddleware",  # pages show times in the company's zone
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): a code was given this session
    "audit.context.AuditContextMiddleware",  # who and from where, for the audit log's triggers
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kpihub.security.ContentSecurityPolicyMiddleware",
    "kpihub.security.CustomerDataNotStoredMiddleware",  # Cache-Control: no-store
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.LastActivityMiddleware",
    "accounts.middleware.TwoFactorMiddleware",  # a 2FA user's code; a company's requirement
    "axes.middleware.AxesMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.debug",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tenants.context_processors.tenant",
                "accounts.context_processors.notifications",
            ],
        },
    },
]

WSGI_APPLICATION = "kpihub.wsgi.application"
ASGI_APPLICATION = "kpihub.asgi.application"


def database_config(url: str) -> dict:
    config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    config["ENGINE"] = "django_tenants.postgresql_backend"
    return config


# Subclasses set DATABASE_URL (development and test may start an embedded server).
DATABASE_URL = os.environ.get("DATABASE_URL", "")
DATABASES = {"default": database_config(DATABASE_URL)} if DATABASE_URL else {}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: broker, cache, locks --------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")


def celery_broker_url(redis_url: str) -> str:
    # kombu spells a unix socket redis+socket://; redis-py and Django spell it unix://
    if redis_url.startswith("unix://"):
        return "redis+socket://" + redis_url.removeprefix("unix://")
    return redis_url


def caches_for(redis_url: str) -> dict:
    return {
        "default": {
            "BACKEND": "kpihub.cache.ResilientRedisCache",  # Redis away: a miss, not a 500
            "LOCATION": redis_url,
            "KEY_FUNCTION": "django_tenants.cache.make_key",
            "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        }
    }


def redis_settings(redis_url: str) -> dict:
    """Every setting that follows from the Redis URL; development applies it again
    once an embedded Redis has been started."""
    if not redis_url:
        return {"CACHES": {}, "CELERY_BROKER_URL": ""}
    return {"CACHES": caches_for(redis_url), "CELERY_BROKER_URL": celery_broker_url(redis_url),
            # Sessions read from Redis, written through to the tenant's schema. Only with a
            # shared cache: a per-process one would keep a logged-out session alive elsewhere.
            "SESSION_ENGINE": "django.contrib.sessions.backends.cached_db"}


globals().update(redis_settings(REDIS_URL))
CELERY_RESULT_BACKEND = None  # job state lives in jobs.Job, readable per tenant
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A dead worker's tasks are delivered again once unacknowledged this long; live workers
# renew the ones they hold (jobs/visibility.py), so minutes, not hours, and a restore
# scan every tenth of it.
BROKER_VISIBILITY_TIMEOUT = int(os.environ.get("KPIHUB_BROKER_VISIBILITY_TIMEOUT", 300))
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": BROKER_VISIBILITY_TIMEOUT,
                                   "unacked_restore_interval": max(1, min(30, BROKER_VISIBILITY_TIMEOUT // 10)),
                                   "unacked_restore_throttle": 1}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE: dict = {
    # Jobs left running by a dead worker whose task never came back (jobs/reaper.py).
    "jobs-reaper": {"task": "jobs.reaper.reap_stuck_jobs_for_every_tenant", "schedule": 60.0},
    "surveys-sweep": {"task": "surveys.schedule.sweep_surveys", "schedule": 60.0},  # due sends, reminders
    # Goals move on with time even without new data (goals.md, "Jobs").
    "goals-daily": {"task": "metrics.goals.tasks.evaluate_goals_for_every_tenant",
                    "schedule": crontab(hour=5, minute=15)},
    "kpis-nightly": {"task": "metrics.kpis.tasks.recompute_kpis_for_every_tenant",
                     "schedule": crontab(hour=2, minute=30)},  # KPIs move on with the month
    "goals-weekly-digest": {"task": "metrics.goals.tasks.send_goal_digest_for_every_tenant",
                            "schedule": crontab(day_of_week="mon", hour=7, minute=0)},
    # Companies their owner deleted, once the 30-day grace period is over (tenants/services.py).
    "tenants-purge-deleted": {"task": "tenants.tasks.purge_deleted_companies",
                              "schedule": crontab(hour=3, minute=45)},
}

# --- Auth ---------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.MemberBackend",  # ModelBackend, with the membership in one query
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Lock a username from one address, so nobody can lock a real user out from elsewhere.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_VERBOSE = False
# The real client address for every per-address limit (kpihub/client_address.py): the
# socket's, or, when that is one of these proxies (addresses or networks, comma-separated),
# the right-most X-Forwarded-For entry none of them wrote. Empty: nobody's header is believed.
KPIHUB_TRUSTED_PROXIES = [p for p in os.environ.get("KPIHUB_TRUSTED_PROXIES", "").split(",") if p.strip()]
AXES_CLIENT_IP_CALLABLE = "kpihub.client_address.client_address"
SESSION_COOKIE_AGE = 14 * 24 * 3600


def totp_issuer(device) -> str:
    """How an authenticator app names the account: with the company, so someone in two
    companies tells them apart (django-otp calls this when it builds the QR code)."""
    from django.db import connection  # settings cannot import the ORM at load time

    return f"KPI Hub {connection.tenant.name}"


OTP_TOTP_ISSUER = totp_issuer
TWO_FACTOR_PENDING_SECONDS = 5 * 60  # a password checked for a two-factor user waits this long for its code
INVITATION_MAX_AGE = 7 * 24 * 3600

# --- API ------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",  # "Token <key>", looked up by its hash
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "kpihub.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "kpihub.api_schema.AutoSchema",  # drf-spectacular's, with the error answers
    "DEFAULT_METADATA_CLASS": "kpihub.api_metadata.Metadata",  # OPTIONS on every endpoint, never a 500
    "EXCEPTION_HANDLER": "kpihub.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"signup": "20/hour", "token": "30/minute", "login": "30/minute",
                               "find_workspace": "10/hour"},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "KPI Hub API",
    "DESCRIPTION": "Import business data, read KPIs, set goals and run surveys. "
    "Every endpoint except sign-up and find-workspace lives on the tenant's own host.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- i18n, static, files -----------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("pt", "Português"), ("ro", "Română")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
STORAGES = {
    # Tenant files land under MEDIA_ROOT/<schema>/, never shared between tenants.
    "default": {"BACKEND": "kpihub.storage.TenantFileStorage"},  # a failed write leaves no partial file
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"

# --- Mail ---------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", f"KPI Hub <no-reply@{BASE_DOMAIN}>")
EMAIL_URL = os.environ.get("EMAIL_URL", "")


def email_settings(url: str, outbox: Path) -> dict:
    """smtp://host:port (smtp+tls:// for STARTTLS) or, without a URL, files in the outbox."""
    if not url:
        return {"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "EMAIL_FILE_PATH": str(outbox)}
    from urllib.parse import unquote, urlparse

    parts = urlparse(url)
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": parts.port or 25,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": parts.scheme == "smtp+tls",
        "EMAIL_USE_SSL": parts.scheme == "smtps",
        "EMAIL_TIMEOUT": 20,
    }


globals().update(email_settings(EMAIL_URL, DATA_DIR / "outbox"))

# --- Security -------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'"
)
CSP_INLINE_STYLE_PATHS = ("/api/v1/docs/", "/admin/")
# Features no page of ours uses, denied to the page and anything it might embed.
PERMISSIONS_POLICY: dict[str, list] = {feature: [] for feature in (
    "accelerometer", "ambient-light-sensor", "autoplay", "bluetooth", "browsing-topics", "camera",
    "display-capture", "geolocation", "gyroscope", "hid", "idle-detection", "interest-cohort",
    "magnetometer", "microphone", "midi", "payment", "serial", "usb", "xr-spatial-tracking")}

# --- Limits ----------------------------------------------------------------------------
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
KPIHUB_DEMO = os.environ.get("KPIHUB_DEMO", "1") == "1"
# Database connections one KPI recompute reads with at once (metrics/kpis/side_connections.py):
# the families' statements run side by side, so about the database server's cores.
KPIHUB_KPI_CONNECTIONS = int(os.environ.get("KPIHUB_KPI_CONNECTIONS", 2))
KPIHUB_IMPORT_MAX_BYTES = int(os.environ.get("KPIHUB_IMPORT_MAX_BYTES", 100 * 1000 * 1000))  # data-contract: 100 MB
# The dates KPI Hub accepts (issue 16): the first day, and how many years past today the
# last may be ("1990-01-01,10"). An import's date outside it is a row error; a stored one
# is left out of the KPIs and reported; a date query parameter outside it is a 400.
KPIHUB_DATE_WINDOW = os.environ.get("KPIHUB_DATE_WINDOW", "1990-01-01,10")
# Big work on a queue of its own, with a worker of its own (kpihub/queues.py): an import of
# a file this large (about 110,000 invoice rows), a recompute of a tenant whose tables
# hold this many rows; neither then delays another tenant's small import or recompute.
CELERY_TASK_ROUTES = ("kpihub.queues.route",)
KPIHUB_BULK_QUEUE = os.environ.get("KPIHUB_BULK_QUEUE", "bulk")
KPIHUB_BULK_IMPORT_BYTES = int(os.environ.get("KPIHUB_BULK_IMPORT_BYTES", 5 * 1000 * 1000))
KPIHUB_BULK_RECOMPUTE_ROWS = int(os.environ.get("KPIHUB_BULK_RECOMPUTE_ROWS", 250_000))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "pgserver": {"level": "WARNING"}},
}
