"""People's pages of a tenant host: logging in (a code after the password for two-factor)
and out, password reset, the sign-up hand-off, invitations, account security (two-factor,
API tokens), the team and the notifications."""

from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import security_views, views
from accounts.lockout import limit_attempts_per_address
from accounts.password_reset import LinkedPasswordResetForm, reset_tokens

urlpatterns = [
    # Both log-in steps are forms that take guesses: the same per-address limit on each.
    path("accounts/login/", limit_attempts_per_address(security_views.LoginView.as_view()), name="login"),
    path("accounts/login/code/", limit_attempts_per_address(security_views.login_code), name="login-code"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password-reset/", auth_views.PasswordResetView.as_view(
        form_class=LinkedPasswordResetForm, token_generator=reset_tokens,
        subject_template_name="emails/password_reset_subject.txt"), name="password_reset"),
    path("accounts/password-reset/sent/", auth_views.PasswordResetDoneView.as_view(),
         name="password_reset_done"),
    path("accounts/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(token_generator=reset_tokens),
         name="password_reset_confirm"),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(),
         name="password_reset_complete"),
    path("accounts/welcome/<str:handoff>/", views.welcome, name="welcome"),
    path("accounts/invitation/<str:token>/", views.accept_invitation, name="accept-invitation"),
    path("accounts/security/", security_views.security, name="account-security"),
    path("accounts/security/two-factor/", security_views.two_factor_enable, name="two-factor-enable"),
    path("accounts/security/two-factor/off/", security_views.two_factor_disable, name="two-factor-disable"),
    path("accounts/security/two-factor/recovery-codes/", security_views.recovery_codes,
         name="two-factor-recovery-codes"),
    path("accounts/security/policy/", security_views.security_policy, name="security-policy"),
    path("accounts/security/tokens/", security_views.token_create, name="api-token-create"),
    path("accounts/security/tokens/<int:pk>/revoke/", security_views.token_revoke, name="api-token-revoke"),
    path("team/", views.team, name="team"),
    path("team/invite/", views.invite, name="team-invite"),
    path("team/<int:pk>/", views.change_member, name="team-member"),
    path("notifications/", views.notifications, name="notifications"),
]
