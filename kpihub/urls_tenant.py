"""URLs of a tenant's host (<slug>.KPIHUB_BASE_DOMAIN)."""

from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import api as accounts_api
from accounts import views as accounts_views
from accounts.forms import EmailAuthenticationForm, LinkedPasswordResetForm
from jobs import api as jobs_api
from metrics import views as metrics_views

account_urls = [
    path("login/", auth_views.LoginView.as_view(
        authentication_form=EmailAuthenticationForm, redirect_authenticated_user=True),
        name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", auth_views.PasswordResetView.as_view(
        form_class=LinkedPasswordResetForm, email_template_name="emails/password_reset.txt",
        html_email_template_name="emails/password_reset.html",
        subject_template_name="emails/password_reset_subject.txt"), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(),
         name="password_reset_done"),
    path("reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(),
         name="password_reset_complete"),
    path("welcome/<str:handoff>/", accounts_views.welcome, name="welcome"),
    path("invitation/<str:token>/", accounts_views.accept_invitation, name="accept-invitation"),
]

api_urls = [
    path("auth/token/", accounts_api.TokenView.as_view(), name="api-token"),
    path("me/", accounts_api.MeView.as_view(), name="api-me"),
    path("invitations/", accounts_api.InvitationView.as_view(), name="api-invitations"),
    path("jobs/<uuid:pk>/", jobs_api.JobDetailView.as_view(), name="api-job"),
    path("goals/", include("metrics.goals.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

urlpatterns = [
    path("", metrics_views.home, name="home"),
    path("accounts/", include(account_urls)),
    path("team/", accounts_views.team, name="team"),
    path("team/invite/", accounts_views.invite, name="team-invite"),
    path("team/<int:pk>/", accounts_views.change_member, name="team-member"),
    path("api/v1/", include(api_urls)),
    path("api/v1/kpis/", include("metrics.kpis.urls")),
    path("", include("metrics.goals.page_urls")),
    path("", include("surveys.urls")),
    path("", include("metrics.urls")),
]
