"""Local development: `make run`. Missing services are started embedded."""

from kpihub import devservices

from .base import *  # noqa: F403
from .base import caches_for, celery_broker_url, database_config

devservices.ensure_service_urls()
DEBUG = True
SECRET_KEY = SECRET_KEY or "dev-only-not-secret-" + "k" * 40  # noqa: F405
DATABASE_URL = os.environ["DATABASE_URL"]  # noqa: F405
DATABASES = {"default": database_config(DATABASE_URL)}
REDIS_URL = os.environ["REDIS_URL"]  # noqa: F405
CACHES = caches_for(REDIS_URL)
# As in base, now that Redis is known: embedded Redis starts after base was read.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
CELERY_BROKER_URL = celery_broker_url(REDIS_URL)
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
