from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm

from accounts.models import Member
from accounts.services import check_new_password
from tenants.models import Tenant


class EmailAuthenticationForm(AuthenticationForm):
    """Log in with the e-mail address (stored as the username)."""

    username = forms.EmailField(label="E-mail", widget=forms.EmailInput(
        attrs={"autofocus": True, "autocomplete": "username"}))
    # Django's message speaks of a "username": people here log in with their e-mail.
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That e-mail and password do not match an account of this company. "
                         "Check both (the password is case-sensitive) and try again.",
    }

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


class WorkspaceForm(forms.Form):
    """The public log-in page: which company's host to go to. Takes the slug, or the
    whole address pasted from a bookmark (``https://acme.kpihub.example/...``)."""

    workspace = forms.CharField(label="Your workspace", max_length=200, strip=True, widget=forms.TextInput(attrs={
        "autocomplete": "organization", "autocapitalize": "off", "spellcheck": "false", "autofocus": True}))

    def clean_workspace(self) -> str:
        text = self.cleaned_data["workspace"].lower()
        text = text.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]  # an address: its host
        suffix = f".{settings.BASE_DOMAIN}"
        slug = text[:-len(suffix)] if text.endswith(suffix) else text
        if not Tenant.objects.without_platform().filter(slug=slug).exists():
            raise forms.ValidationError(
                "No workspace has this address. Check the spelling, or find your workspace by e-mail.")
        return slug


class FindWorkspaceForm(forms.Form):
    email = forms.EmailField(label="Your e-mail", widget=forms.EmailInput(attrs={
        "autocomplete": "email", "autofocus": True}))
