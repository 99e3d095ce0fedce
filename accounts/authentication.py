"""How the API knows who is calling: ``Authorization: Token <key>`` (api.md), the key
looked up by its hash in the schema of the host it arrives on (accounts/api_tokens.py)."""

from __future__ import annotations

from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied
from rest_framework.permissions import SAFE_METHODS

from accounts import api_tokens, two_factor

READ_ONLY = "This token is read-only: it can read (GET, HEAD, OPTIONS) but not change anything."
ENROL_FIRST = ("Your company requires two-factor authentication: turn it on at "
               "/accounts/security/ before using the API.")


class ApiTokenAuthentication(TokenAuthentication):
    """DRF's header parsing (``Token <key>``, 401 with ``WWW-Authenticate: Token``),
    with hashed, named tokens. A read-only token gets 403 on any unsafe method, and a
    person the company requires two-factor of gets 403 until they have turned it on."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, token = result
        if token.read_only and request.method not in SAFE_METHODS:
            raise PermissionDenied(READ_ONLY)
        if two_factor.must_enrol(user):
            raise PermissionDenied(ENROL_FIRST)
        return result

    def authenticate_credentials(self, key):
        token = api_tokens.token_for_key(key)
        if token is None or not token.user.is_active:
            raise AuthenticationFailed("Invalid token.")
        return token.user, token
