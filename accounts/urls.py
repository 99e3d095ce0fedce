"""People's pages of a tenant host: logging in and out, password reset, the sign-up
hand-off, invitations, the team and the notifications."""

from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views
from accounts.forms import EmailAuthenticationForm, LinkedPasswordResetForm
from accounts.lockout import limit_attempts_per_address

urlpatterns = [
    path("accounts/login/", limit_attempts_per_address(auth_views.LoginView.as_view(
        authentication_form=EmailAuthenticationForm, redirect_authenticated_user=True)),
        name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password-reset/", auth_views.PasswordResetView.as_view(
        form_class=LinkedPasswordResetForm, email_template_name="emails/password_reset.txt",
        html_email_template_name="emails/password_reset.html",
        subject_template_name="emails/password_reset_subject.txt"), name="password_reset"),
    path("accounts/password-reset/sent/", auth_views.PasswordResetDoneView.as_view(),
         name="password_reset_done"),
    path("accounts/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(),
         name="password_reset_complete"),
    path("accounts/welcome/<str:handoff>/", views.welcome, name="welcome"),
    path("accounts/invitation/<str:token>/", views.accept_invitation, name="accept-invitation"),
    path("team/", views.team, name="team"),
    path("team/invite/", views.invite, name="team-invite"),
    path("team/<int:pk>/", views.change_member, name="team-member"),
    path("notifications/", views.notifications, name="notifications"),
]
