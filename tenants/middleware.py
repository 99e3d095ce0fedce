from django.http import JsonResponse
from django.http.request import split_domain_port
from django.shortcuts import render
from django.utils import timezone, translation
from django_tenants.middleware.main import TenantMainMiddleware as RoutingMiddleware
from django_tenants.utils import remove_www

from surveys.services import recipient_for_token

RESPONDENT_PATH = "/s/"  # surveys/urls.py: the pages a survey e-mail links to


class TenantMainMiddleware(RoutingMiddleware):
    """django-tenants' routing with the host normalised first. Host names are
    case-insensitive and may end with a dot (RFC 4343, RFC 1034), but django-tenants
    looks the domain up as sent, so `ACME.localhost` answered 404. Domains are stored
    lower-case without the dot (sign-up writes them so)."""

    def process_request(self, request):
        # Lower-cased for everything after routing too: links built from the request
        # and CSRF's comparison of Origin (which browsers send lower-case) with the host.
        if "HTTP_HOST" in request.META:
            request.META["HTTP_HOST"] = request.META["HTTP_HOST"].lower()
        return super().process_request(request)

    @staticmethod
    def hostname_from_request(request) -> str:
        # get_host() has validated the host against ALLOWED_HOSTS (case-insensitively);
        # split_domain_port lower-cases it and drops the port and a final dot.
        domain, _port = split_domain_port(request.get_host())
        return remove_www(domain)


class TenantStatusMiddleware:
    """A suspended tenant's host answers with a page that says so (API: JSON 403).
    The template schema has no domain, so it is never routed here.

    A survey respondent (``/s/...``) is the company's customer, not its user: they get
    the survey's neutral "this survey is closed" page, which says nothing of KPI Hub
    or of the company's account. Nothing here touches sessions (this runs before the
    session middleware): a user's session works again as soon as the company serves."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tenant = getattr(request, "tenant", None)
        if tenant is not None and tenant.schema_name != "public" and not tenant.is_serving:
            message = f"{tenant.name} is suspended. Contact KPI Hub support to reactivate it."
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=403)
            if request.path.startswith(RESPONDENT_PATH):
                return closed_survey_page(request, tenant)
            with timezone.override(tenant.zone):  # the deletion's dates, in the company's zone
                return render(request, "tenants/suspended.html", {"tenant": tenant}, status=403)
        return self.get_response(request)


class CompanyTimeZoneMiddleware:
    """Every time a tenant's page shows is in the company's time zone: the zone is
    activated for the request, so templates' ``date`` filters, forms' date-times and
    ``timezone.localdate()`` ("today") all read the company's clock. The public host
    stays in UTC. The API is unaffected: it writes ISO 8601 with the offset."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tenant = getattr(request, "tenant", None)
        if tenant is None or tenant.schema_name == "public":
            timezone.deactivate()
            return self.get_response(request)
        timezone.activate(tenant.zone)
        try:
            return self.get_response(request)
        finally:
            # The zone is per thread: the next request on it may be another company's.
            timezone.deactivate()


def closed_survey_page(request, tenant):
    """What a respondent of a suspended company sees: the page of a closed survey, in
    the survey's language when the link's token names one, with the same 200 a closed
    survey answers (nothing tells a customer more than that the survey is closed)."""
    token = request.path[len(RESPONDENT_PATH):].split("/", 1)[0]
    recipient = recipient_for_token(token)
    language = recipient.survey.language if recipient else translation.get_language() or "en"
    with translation.override(language):
        response = render(request, "surveys/respondent/closed.html", {"company": tenant.name, "language": language})
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
