from django.conf import settings
from django.utils.cache import patch_cache_control
from django_tenants.utils import get_public_schema_name

from tenants.signup import tenant_origin


class ContentSecurityPolicyMiddleware:
    """Adds the Content-Security-Policy header (Django 5.2 has none built in).
    Everything is served from our own origin, so the policy can be strict."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = settings.CONTENT_SECURITY_POLICY
        if request.path.startswith(settings.CSP_INLINE_STYLE_PATHS):
            # Swagger UI sets inline styles; scripts stay 'self' only.
            policy = policy.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
        if getattr(getattr(request, "tenant", None), "schema_name", None) == get_public_schema_name():
            # form-action also governs where a form's redirect may lead, and sign-up on
            # the public host ends on the new company's own host: allow tenant hosts.
            policy = policy.replace("form-action 'self'", f"form-action 'self' {tenant_origin('*', request)}")
        response.headers.setdefault("Content-Security-Policy", policy)
        return response


class CustomerDataNotStoredMiddleware:
    """Cache-Control: no-store on every response that may carry a company's data:
    whatever a tenant host serves (pages, the API, CSV and XLSX exports, survey
    pages) and the public host's API, admin and forms (sign-up answers with a token;
    the admin lists the companies). Without it a shared computer's browser or a proxy
    may keep a copy of a dashboard or an export. Only the public host's marketing
    page may be cached; static files never reach here (WhiteNoise answers them)."""

    MARKETING_PATHS = frozenset({"/"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        tenant = getattr(request, "tenant", None)
        on_public_host = tenant is None or tenant.schema_name == get_public_schema_name()
        if not (on_public_host and request.path in self.MARKETING_PATHS):
            patch_cache_control(response, no_store=True, private=True)
        return response
