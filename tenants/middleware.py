from django.http import JsonResponse
from django.shortcuts import render


class TenantStatusMiddleware:
    """A suspended tenant's host answers with a page that says so (API: JSON 403).
    The template schema has no domain, so it is never routed here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tenant = getattr(request, "tenant", None)
        if tenant is not None and tenant.schema_name != "public" and not tenant.is_serving:
            message = f"{tenant.name} is suspended. Contact KPI Hub support to reactivate it."
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=403)
            return render(request, "tenants/suspended.html", {"tenant": tenant}, status=403)
        return self.get_response(request)
