import time

from django.contrib import messages
from django.contrib.auth import logout
from django.core.cache import cache
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import get_public_schema_name

from accounts import two_factor
from accounts.roles import role_of
from tenants.models import Tenant

STAMP_SECONDS = 60


class LastActivityMiddleware:
    """Stamps the tenant's last activity for the platform admin, at most once a
    minute per tenant: a cache key (per schema) guards the write across processes,
    and each process asks the cache at most once a minute per tenant, so a page
    view costs no round trip for it."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.asked_at: dict[str, float] = {}  # schema -> when this process last asked

    def __call__(self, request):
        response = self.get_response(request)
        tenant = getattr(request, "tenant", None)
        user = getattr(request, "user", None)
        if (tenant is not None and tenant.schema_name != "public"
                and user is not None and user.is_authenticated):
            now, asked = time.monotonic(), self.asked_at.get(tenant.schema_name)
            if asked is not None and now - asked < STAMP_SECONDS:
                return response
            self.asked_at[tenant.schema_name] = now
            if cache.add("last-activity-stamp", 1, timeout=STAMP_SECONDS):
                Tenant.objects.filter(pk=tenant.pk).update(last_activity_at=timezone.now())
        return response


class TwoFactorMiddleware:
    """Sessions on a tenant host, after django-otp's OTPMiddleware:

    * someone with two-factor on whose session was never verified by a code (a session
      from before they turned it on) is logged out and asked to log in again;
    * when the company requires two-factor, a member without it is sent to set it up
      before anything else (the API answers 403 saying so).

    Token-authenticated API calls carry no session: accounts.authentication checks them."""

    ALLOWED_UNTIL_ENROLLED = ("/accounts/security/two-factor/", "/accounts/logout/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tenant = getattr(request, "tenant", None)
        user = getattr(request, "user", None)
        if (tenant is None or tenant.schema_name == get_public_schema_name() or user is None
                or not user.is_authenticated or role_of(user) is None or user.is_verified()):
            return self.get_response(request)
        enabled, required = two_factor.standing(user)
        if enabled:
            logout(request)
            return self._refuse(request, "Log in again with your two-factor code.", reverse("login"), 401)
        if required and not request.path.startswith(self.ALLOWED_UNTIL_ENROLLED):
            return self._refuse(request, "Your company requires two-factor authentication: set it up to continue.",
                                reverse("two-factor-enable"), 403)
        return self.get_response(request)

    @staticmethod
    def _refuse(request, message: str, page: str, api_status: int):
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=api_status)
        messages.warning(request, message)
        return redirect(page)
