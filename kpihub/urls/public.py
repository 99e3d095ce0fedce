"""URLs of the public site (KPIHUB_BASE_DOMAIN): landing, sign-up, platform admin."""

from django.contrib import admin
from django.urls import include, path

from tenants import api, views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("signup/", views.signup, name="signup"),
    path("api/v1/signup/", api.SignupView.as_view(), name="api-signup"),
    path("admin/", admin.site.urls),
    path("dev/outbox/", include("kpihub.dev.outbox")),  # DEBUG only: mail without EMAIL_URL
]
