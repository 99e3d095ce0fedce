"""Sign-up: one company becomes one tenant with its schema, domain and owner.

The form is the single place the rules live; the HTML page and the API both use it.
Creation runs in one transaction: PostgreSQL DDL is transactional, so a failure
anywhere (schema clone, domain, owner) leaves no tenant row, domain or schema.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django_tenants.utils import schema_context

from accounts.models import Member
from accounts.services import add_member, check_new_password, issue_token
from tenants.models import BUSINESS_MODELS, CURRENCIES, LOCALES, TIMEZONES, Domain, Tenant
from tenants.schema_script import current_script, install_schema

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,38})[a-z0-9]$")


def schema_name_for(slug: str) -> str:
    # Schema names cannot start with a digit comfortably nor hold hyphens unquoted.
    return "t_" + slug.replace("-", "_")


def tenant_domain(slug: str) -> str:
    return f"{slug}.{settings.BASE_DOMAIN}"


def tenant_url(slug: str, request=None) -> str:
    """The tenant's address as seen by whoever asked: same scheme and port as the
    request on the public host (``localhost:8000`` -> ``acme.localhost:8000``)."""
    return tenant_origin(slug, request) + "/"


def tenant_origin(slug: str, request=None) -> str:
    """``http://acme.localhost:8000``: the tenant's scheme, host and port, as in
    ``tenant_url``. A slug of ``*`` gives the CSP source of every tenant host."""
    if request is not None:
        scheme = request.scheme
        host = request.get_host()
        port = f":{host.rsplit(':', 1)[1]}" if ":" in host else ""
    else:
        scheme = "http" if settings.DEBUG else "https"
        port = f":{settings.PORT}" if settings.DEBUG and settings.PORT not in (80, 443) else ""
    return f"{scheme}://{tenant_domain(slug)}{port}"


class SignupForm(forms.Form):
    company_name = forms.CharField(max_length=120,
                                   widget=forms.TextInput(attrs={"autocomplete": "organization"}))
    slug = forms.CharField(max_length=40, help_text="3-40 lowercase letters, digits or hyphens.",
                           widget=forms.TextInput(attrs={"autocomplete": "off"}))
    email = forms.EmailField(label="E-mail", widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    currency = forms.ChoiceField(choices=[(c, c) for c in CURRENCIES], required=False,
                                 initial="USD", help_text="Your reporting currency.")
    timezone = forms.ChoiceField(choices=[(t, t) for t in TIMEZONES], required=False,
                                 initial="UTC", help_text="Months are counted in this time zone.")
    locale = forms.ChoiceField(choices=LOCALES, required=False, initial="en-US",
                               help_text="How numbers and money are written.")
    business_model = forms.ChoiceField(choices=BUSINESS_MODELS, required=False, initial="subscription",
                                       help_text="What you sell: it decides which KPIs lead your dashboard.")

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"].strip()
        if slug != slug.lower():
            raise ValidationError("Use lowercase letters only, for example “%(s)s”.",
                                  params={"s": slug.lower()})
        if not 3 <= len(slug) <= 40:
            raise ValidationError("Use 3 to 40 characters.")
        if not SLUG_PATTERN.match(slug) or "--" in slug:
            raise ValidationError(
                "Use lowercase letters, digits and single hyphens, starting and ending "
                "with a letter or digit (for example “acme-shop”)."
            )
        if slug in settings.RESERVED_SLUGS:
            raise ValidationError("“%(s)s” is reserved; please choose another.", params={"s": slug})
        if Tenant.objects.filter(slug=slug).exists():
            raise ValidationError("“%(s)s” is already taken; please choose another.",
                                  params={"s": slug})
        return slug

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean_currency(self) -> str:
        return self.cleaned_data.get("currency") or "USD"

    def clean_timezone(self) -> str:
        return self.cleaned_data.get("timezone") or "UTC"

    def clean_locale(self) -> str:
        return self.cleaned_data.get("locale") or "en-US"

    def clean_business_model(self) -> str:
        return self.cleaned_data.get("business_model") or "subscription"

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("email"):
            try:
                check_new_password(data["password"], email=data["email"],
                                   name=data.get("company_name", ""))
            except ValidationError as error:
                self.add_error("password", error)
        return data


@dataclass(frozen=True)
class SignupResult:
    tenant: Tenant
    user_id: int
    token: str

    @property
    def domain(self) -> str:
        return tenant_domain(self.tenant.slug)



def sign_up(*, company_name: str, slug: str, email: str, password: str,
            currency: str = "USD", timezone: str = "UTC", locale: str = "en-US",
            business_model: str = "subscription") -> SignupResult:
    """Create the tenant, its domain and its owner, all or nothing."""
    with schema_context("public"), transaction.atomic():
        tenant = Tenant(schema_name=schema_name_for(slug), slug=slug, name=company_name,
                        currency=currency, timezone=timezone, locale=locale,
                        business_model=business_model, user_count=1)
        script = current_script()
        if script is not None:
            tenant.auto_create_schema = False
            tenant.save(verbosity=0)
            install_schema(tenant.schema_name, script)
        else:
            tenant.save(verbosity=0)  # no script recorded yet: clone TENANT_BASE_SCHEMA
        Domain.objects.create(domain=tenant_domain(slug), tenant=tenant, is_primary=True)
        with schema_context(tenant.schema_name):
            user = add_member(email=email, password=password, role=Member.Role.OWNER)
            token = issue_token(user)
    return SignupResult(tenant=tenant, user_id=user.pk, token=token)
