"""Local development: `make run`. Missing services are started embedded."""

from kpihub.dev import embedded

from .base import *  # noqa: F403
from .base import database_config, redis_settings

embedded.ensure_service_urls()
DEBUG = True
SECRET_KEY = SECRET_KEY or "dev-only-not-secret-" + "k" * 40  # noqa: F405
DATABASE_URL = os.environ["DATABASE_URL"]  # noqa: F405
DATABASES = {"default": database_config(DATABASE_URL)}
REDIS_URL = os.environ["REDIS_URL"]  # noqa: F405
globals().update(redis_settings(REDIS_URL))  # an embedded Redis starts after base was read
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
