"""URLs of the public site (KPIHUB_BASE_DOMAIN): landing, sign-up, platform admin."""

from django.contrib import admin
from django.urls import include, path

from accounts.lockout import limit_attempts_per_address
from tenants import api, views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("signup/", views.signup, name="signup"),
    path("api/v1/signup/", api.SignupView.as_view(), name="api-signup"),
    # The platform admin's log-in form, limited per address like a tenant's.
    path("admin/login/", limit_attempts_per_address(admin.site.login)),
    path("admin/", admin.site.urls),
    path("dev/outbox/", include("kpihub.dev.outbox")),  # DEBUG only: mail without EMAIL_URL
]

handler404 = "kpihub.api.not_found"  # JSON under /api/, the page elsewhere
