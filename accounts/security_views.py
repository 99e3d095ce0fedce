"""Tenant-host pages of account security: signing in in two steps, turning two-factor
on and off, recovery codes, the company's requirement, and named API tokens. The rules
live in accounts/two_factor.py and accounts/api_tokens.py."""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.shortcuts import redirect, render, resolve_url
from django.views.decorators.http import require_POST

from accounts import api_tokens, two_factor
from accounts.forms import ApiTokenForm, EmailAuthenticationForm, SecurityPolicyForm, TwoFactorCodeForm
from accounts.lockout import lockout_response
from accounts.models import Member
from accounts.roles import member_required, role_of


class LoginView(auth_views.LoginView):
    """The password first. Someone with two-factor on is not logged in yet: the
    checked password waits in the session for their code (login_code)."""

    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if two_factor.is_enabled(user):
            two_factor.remember_password_step(self.request, user=user, next_url=self.get_redirect_url())
            return redirect("login-code")
        return super().form_valid(form)


def login_code(request):
    """The second step: a code from the app or a recovery code. A wrong code is a failed
    sign-in (user_login_failed: django-axes counts it towards the lock-out, the audit
    log records it); the right one logs the person in (user_logged_in)."""
    pending = two_factor.pending_sign_in(request)
    if pending is None:
        messages.info(request, "Log in again: the password step has expired.")
        return redirect("login")
    credentials = {"username": pending.user.get_username()}
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if AxesProxyHandler.is_locked(request, credentials):
            two_factor.forget_pending(request)
            return lockout_response(request)
        try:
            device = two_factor.check_code(user=pending.user, code=form.cleaned_data["code"])
        except ValidationError as error:
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            form.add_error("code", error)
        else:
            two_factor.finish_sign_in(request, pending=pending, device=device)
            if device.name == two_factor.RECOVERY_DEVICE_NAME:
                messages.warning(request, f"You used a recovery code: {two_factor.recovery_codes_left(pending.user)} left.")
            return redirect(pending.next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
    return render(request, "accounts/login_code.html", {"form": form, "email": pending.user.email})


@member_required
def security(request):
    """The person's account security: two-factor, recovery codes, API tokens; the
    company's two-factor requirement for its owner."""
    return _security_page(request)


def _security_page(request, *, new_token=None, token_form=None, status=200):
    user = request.user
    return render(request, "accounts/security.html", {
        "two_factor_on": two_factor.is_enabled(user),
        "recovery_codes_left": two_factor.recovery_codes_left(user),
        "required": two_factor.is_required(),
        "is_owner": role_of(user) == Member.Role.OWNER,
        "code_form": TwoFactorCodeForm(),
        "tokens": api_tokens.tokens_of(user),
        "token_form": token_form or ApiTokenForm(),
        "new_token": new_token,
    }, status=status)


@member_required
def two_factor_enable(request):
    """Scan the QR code, confirm with a code, see the recovery codes (once)."""
    if two_factor.is_enabled(request.user):
        return redirect("account-security")
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            enabled = two_factor.confirm_enrolment(user=request.user, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            two_factor.verify_session(request, device=enabled.device)
            return render(request, "accounts/recovery_codes.html",
                          {"codes": enabled.recovery_codes, "just_enabled": True})
    enrolment = two_factor.start_enrolment(user=request.user)
    return render(request, "accounts/two_factor_enable.html", {
        "form": form, "enrolment": enrolment, "required": two_factor.is_required(),
        "company": connection.tenant.name}, status=400 if form.errors else 200)


@member_required
@require_POST
def two_factor_disable(request):
    form = TwoFactorCodeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(two_factor.WRONG_CODE)
        two_factor.disable(user=request.user, code=form.cleaned_data["code"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Two-factor authentication is off.")
    return redirect("account-security")


@member_required
@require_POST
def recovery_codes(request):
    """New recovery codes for a current code; shown once."""
    form = TwoFactorCodeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(two_factor.WRONG_CODE)
        codes = two_factor.regenerate_recovery_codes(user=request.user, code=form.cleaned_data["code"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("account-security")
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "just_enabled": False})


@member_required
@require_POST
def security_policy(request):
    """The owner requires two-factor of everyone (or stops requiring it)."""
    form = SecurityPolicyForm(request.POST)
    form.is_valid()  # a checkbox: absent is False
    try:
        policy = two_factor.set_required(by=request.user, required=form.cleaned_data.get("require_two_factor", False))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Two-factor authentication is now "
                         + ("required of everyone." if policy.require_two_factor else "up to each person."))
    return redirect("account-security")


@member_required
@require_POST
def token_create(request):
    """A named token; its key is on the page that answers this request, and never again."""
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            made = api_tokens.create_token(user=request.user, name=form.cleaned_data["name"],
                                           read_only=form.cleaned_data["access"] == "read")
        except ValidationError as error:
            for message in error.message_dict.get("name", error.messages):
                form.add_error("name", message)
        else:
            return _security_page(request, new_token=made)
    return _security_page(request, token_form=form, status=400)


@member_required
@require_POST
def token_revoke(request, pk: int):
    if not api_tokens.revoke_token(user=request.user, token_id=pk):
        raise Http404("No such token.")
    messages.success(request, "Token revoked: it no longer works.")
    return redirect("account-security")
