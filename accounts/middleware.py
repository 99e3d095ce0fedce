import time

from django.core.cache import cache
from django.utils import timezone

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
