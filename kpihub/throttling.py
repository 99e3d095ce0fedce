"""Per-address rate limits, keyed on the real client address (kpihub.client_address)
rather than DRF's default, which takes X-Forwarded-For as the client sends it: a new
made-up header per request was a new, empty bucket."""

from __future__ import annotations

from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle

from kpihub.client_address import client_address


class AddressRateThrottle(ScopedRateThrottle):
    """DRF's scoped throttle (the view's ``throttle_scope``) on the real address."""

    def get_ident(self, request) -> str:
        return client_address(request)


class LoginRateThrottle(SimpleRateThrottle):
    """Log-in attempts through a form (a tenant's log-in page, the platform admin's),
    per address and host, at the "login" rate. Every attempt counts, as at the token
    endpoint: it bounds guessing across many accounts from one address, which the
    lock-out per e-mail and address (django-axes) does not."""

    scope = "login"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_address(request)}


class FindWorkspaceRateThrottle(SimpleRateThrottle):
    """"Find my workspace" requests (the public page's form and its API alike, one
    bucket) per address, at the "find_workspace" rate: each may send an e-mail, so an
    address cannot be used to flood someone's inbox or to probe many addresses."""

    scope = "find_workspace"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_address(request)}
