from django.conf import settings
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

