"""`make test`: the real PostgreSQL and Redis (embedded when no URL is given)."""

from .development import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; never in prod
AXES_FAILURE_LIMIT = 3
# Each test run gets its own Redis database number's worth of keys via a prefix.
CACHES["default"]["KEY_PREFIX"] = "test"  # noqa: F405
if os.environ.get("KPIHUB_TEST_EMAIL_URL"):  # a worker the tests started with a mail sink
    globals().update(email_settings(os.environ["KPIHUB_TEST_EMAIL_URL"], DATA_DIR / "outbox"))  # noqa: F405
else:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"signup": "1000/hour", "token": "1000/minute", "login": "1000/minute", "find_workspace": "1000/hour"}}  # noqa: F405
# A queue of its own per test session, so a `make run` worker on the same Redis never
# takes a test's task (the worker the tests start inherits the variable).
CELERY_TASK_DEFAULT_QUEUE = os.environ.setdefault("KPIHUB_TEST_QUEUE", f"kpihub-test-{os.getpid()}")  # noqa: F405
KPIHUB_BULK_QUEUE = f"{CELERY_TASK_DEFAULT_QUEUE}-bulk"
# Nothing is big work in the suite unless a test says so (tests/metrics/imports/
# test_fair_queues.py): a worker a test starts on one queue gets every task it sends.
KPIHUB_BULK_IMPORT_BYTES = KPIHUB_BULK_RECOMPUTE_ROWS = 10**15
