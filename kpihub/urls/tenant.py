"""URLs of a tenant's host (<slug>.KPIHUB_BASE_DOMAIN): every package's pages, and the
JSON API under /api/v1/ (kpihub/urls/api_v1.py)."""

from django.urls import include, path

urlpatterns = [
    path("", include("metrics.dashboard.urls")),
    path("", include("metrics.kpis.urls")),
    path("", include("metrics.segments.urls")),
    path("", include("metrics.cohorts.urls")),
    path("", include("metrics.imports.urls")),
    path("", include("metrics.data.urls")),
    path("", include("metrics.goals.urls")),
    path("", include("surveys.urls")),
    path("", include("accounts.urls")),
    path("", include("audit.urls")),
    path("", include("tenants.urls")),
    path("settings/leave/", include("tenants.leave_views")),  # export, delete the company
    path("api/v1/", include("kpihub.urls.api_v1")),
]

handler404 = "kpihub.api.not_found"  # JSON under /api/, the page elsewhere
