"""Who and from where, for the audit log's triggers.

django-pghistory writes its context (a JSON object) into every event row a trigger
records; this middleware fills it for each request on a company's host: the user (id
and e-mail, so a removed person is still named), how they authenticated (a session or
an API token: a write made with a token says so), which token (its name and first characters), the client's real address (the rule every per-address limit uses), its user agent,
the method and path. DRF authenticates in the view, after middleware, so the request
object updates the context when its ``user`` is set (pghistory's own middleware does the
same for the id alone).

Work done by Celery carries no request: its events have no user (shown as "system"),
and the import or recompute they belong to names who asked for it.
"""

from __future__ import annotations

from typing import Any

import pghistory
from django.core.handlers.wsgi import WSGIRequest
from django.db import connection
from django_tenants.utils import get_public_schema_name

from accounts.models import ApiToken
from kpihub.client_address import client_address  # the real client, behind our trusted proxies

USER_AGENT_LIMIT = 300


def token_label(token: ApiToken) -> str:
    """A named token by its name and first characters; one handed out at sign-in
    (the token endpoint, sign-up) by that."""
    return "signed-in token" if token.from_sign_in else str(token)


def credential_of(request) -> str:
    """How the request authenticated: an API token (an Authorization header), the API
    without one (the token endpoint's e-mail and password), or the browser's session."""
    if request.META.get("HTTP_AUTHORIZATION"):
        return "token"
    return "api" if request.path.startswith("/api/") else "session"


def _on_tenant_host() -> bool:
    return connection.schema_name != get_public_schema_name()


def actor(user) -> dict[str, Any]:
    """The user as the context names them; nobody on the public host, where a
    logged-in user is platform staff, not a person of any company."""
    if user is None or not getattr(user, "is_authenticated", False) or not _on_tenant_host():
        return {"user": None, "email": ""}
    return {"user": user.pk, "email": user.email or user.get_username()}


class _AuditedRequest(WSGIRequest):
    """Updates the context when the user is set after the middleware (DRF's
    authentication, ``login()``)."""

    def __setattr__(self, name, value):
        if name == "user":
            pghistory.context(**actor(value), via=credential_of(self))
        elif name == "auth" and isinstance(value, ApiToken):
            # Which of the person's tokens wrote: a leaked one is found and revoked by name.
            pghistory.context(token=token_label(value))
        super().__setattr__(name, value)


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        metadata = {
            **actor(user if user is not None and user.is_authenticated else None),
            "via": credential_of(request),
            "ip": client_address(request),
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_LIMIT],
            "method": request.method,
            "url": request.path[:500],
        }
        with pghistory.context(**metadata):
            if type(request) is WSGIRequest:
                request.__class__ = _AuditedRequest
            return self.get_response(request)
