"""The tenant URLs plus ``/bench/trivial/``: a view that does no work, so the page
benchmark can tell the pages' own cost from the framework's (middleware, tenant,
session, user) on the same server."""

from django.http import HttpResponse
from django.urls import path

from kpihub.urls.tenant import urlpatterns as tenant_urlpatterns


def trivial(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/trivial/", trivial, name="bench-trivial"), *tenant_urlpatterns]
