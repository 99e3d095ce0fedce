from django.core.cache import cache
from django.utils import timezone


class LastActivityMiddleware:
    """Stamps the tenant's last activity for the platform admin, at most once a
    minute per tenant (a cache key guards the write)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        tenant = getattr(request, "tenant", None)
        user = getattr(request, "user", None)
        if (tenant is not None and tenant.schema_name != "public"
                and user is not None and user.is_authenticated):
            if cache.add("last-activity-stamp", 1, timeout=60):
                from tenants.models import Tenant

                Tenant.objects.filter(pk=tenant.pk).update(last_activity_at=timezone.now())
        return response
