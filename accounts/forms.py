from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.urls import reverse

from accounts.models import Member
from accounts.services import check_new_password


class EmailAuthenticationForm(AuthenticationForm):
    """Log in with the e-mail address (stored as the username)."""

    username = forms.EmailField(label="E-mail", widget=forms.EmailInput(
        attrs={"autofocus": True, "autocomplete": "username"}))

    def clean_username(self):
        return self.cleaned_data["username"].strip().lower()


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail")
    role = forms.ChoiceField(choices=[(Member.Role.MEMBER, "Member"), (Member.Role.ADMIN, "Admin")])


class AcceptInvitationForm(forms.Form):
    name = forms.CharField(max_length=150, required=False)
    password = forms.CharField(strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, email: str, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        check_new_password(password, email=self.email)
        return password


class LinkedPasswordResetForm(PasswordResetForm):
    """Django's reset form, with the full link in the e-mail context as ``action_url``
    (the shared e-mail layout draws its button from it)."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        path = reverse("password_reset_confirm", kwargs={"uidb64": context["uid"], "token": context["token"]})
        context = {**context, "action_url": f"{context['protocol']}://{context['domain']}{path}"}
        super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)


class TwoFactorCodeForm(forms.Form):
    """A code from the authenticator app, or one of the recovery codes."""

    code = forms.CharField(label="Code", max_length=40, strip=True, widget=forms.TextInput(attrs={
        "autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false",
        "autocapitalize": "off"}), help_text="The 6 digits your authenticator app shows, or a recovery code.")


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What will use it, e.g. “Nightly export”.")
    access = forms.ChoiceField(choices=[("read", "Read only"), ("read-write", "Read and write")],
                               initial="read")


class SecurityPolicyForm(forms.Form):
    require_two_factor = forms.BooleanField(
        required=False, label="Require two-factor authentication of everyone in the company")
