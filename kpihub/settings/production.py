"""Production: every secret and service comes from the environment, or it won't start."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

if not SECRET_KEY or len(SECRET_KEY) < 50:  # noqa: F405
    raise ImproperlyConfigured("Production needs SECRET_KEY (50+ random characters).")
if not DATABASE_URL:  # noqa: F405
    raise ImproperlyConfigured("Production needs DATABASE_URL (a real PostgreSQL).")
if not REDIS_URL:  # noqa: F405
    raise ImproperlyConfigured("Production needs REDIS_URL (the Celery broker and cache).")

DEBUG = False
SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"  # noqa: F405
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS = [f"https://*.{BASE_DOMAIN}", f"https://{BASE_DOMAIN}"]  # noqa: F405
