"""URLs of the public site (KPIHUB_BASE_DOMAIN): landing, sign-up, getting back in (which
workspace to log in to, "find my workspace"), platform admin."""

from django.contrib import admin
from django.urls import include, path

from accounts import public_views
from accounts.api import FindWorkspaceView
from accounts.lockout import limit_attempts_per_address
from tenants import api, views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("signup/", views.signup, name="signup"),
    path("api/v1/signup/", api.SignupView.as_view(), name="api-signup"),
    path("login/", public_views.public_login, name="public-login"),
    path("find-workspace/", public_views.find_workspace, name="find-workspace"),
    path("find-workspace/sent/", public_views.find_workspace_sent, name="find-workspace-sent"),
    path("api/v1/find-workspace/", FindWorkspaceView.as_view(), name="api-find-workspace"),
    # The platform admin's log-in form, limited per address like a tenant's.
    path("admin/login/", limit_attempts_per_address(admin.site.login)),
    path("admin/", admin.site.urls),
    path("dev/outbox/", include("kpihub.dev.outbox")),  # DEBUG only: mail without EMAIL_URL
]

handler404 = "kpihub.api.not_found"  # JSON under /api/, the page elsewhere
