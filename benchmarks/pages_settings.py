"""Settings of the server benchmarks/pages.py measures: production settings as they
are (DEBUG off, security middleware, whitenoise), with these changes a
benchmark on one machine needs:

* ROOT_URLCONF adds one trivial view (benchmarks/pages_urls.py) beside the tenant URLs,
  the floor every page is compared against;
* static files are collected under KPIHUB_DATA_DIR, not into the checkout;
* nothing else: the client sends ``X-Forwarded-Proto: https`` as the TLS proxy in
  front of production would, so SECURE_SSL_REDIRECT stays on.
"""

from kpihub.settings.production import *  # noqa: F403

ROOT_URLCONF = "benchmarks.pages_urls"
STATIC_ROOT = DATA_DIR / "staticfiles"  # noqa: F405
