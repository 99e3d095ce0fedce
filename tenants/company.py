"""The company's settings (issue 17): name, time zone, number format, reporting currency,
business model and the survey e-mails' sender. The settings page and
``PATCH /api/v1/company/`` both change them through ``update_company_settings``, so
the rules (``CompanySettingsForm``) and what a currency change sets off live here once.

Nothing is fixed forever at sign-up except the slug: it is the company's host name
(and schema name), and moving a host is out of scope (docs/decisions.md).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.roles import ADMIN_ROLES, has_role
from jobs.models import Job
from metrics.kpis.tasks import JOB_KIND, recompute_kpis
from metrics.models import Expense, Invoice, Subscription
from tenants.models import BUSINESS_MODELS, CURRENCIES, LOCALES, TIMEZONES, Tenant

# The tables whose amounts carry a currency; "" there means "the reporting currency".
MONEY_MODELS = (Subscription, Invoice, Expense)


def _no_control_characters(value: str) -> None:
    """A line break in a name would end up in an e-mail header (the survey sender), where
    Django refuses it at sending time; refuse it here, where the person can fix it."""
    if any(unicodedata.category(character) == "Cc" for character in value):
        raise ValidationError("Use letters, digits and punctuation only (no line breaks or tabs).")


class CompanySettingsForm(forms.Form):
    """The one place the settings' rules live: the page renders it, the API's PATCH and
    the page's POST are checked by it (in ``update_company_settings``)."""

    name = forms.CharField(label="Company name", max_length=120, validators=[_no_control_characters])
    timezone = forms.ChoiceField(label="Time zone", choices=[(zone, zone) for zone in TIMEZONES],
                                 help_text="Months are counted, and times shown, in this time zone.")
    locale = forms.ChoiceField(label="Number format", choices=LOCALES,
                               help_text="How numbers and money are written on the pages.")
    currency = forms.ChoiceField(label="Reporting currency", choices=[(code, code) for code in CURRENCIES],
                                 help_text="Money KPIs are shown in it. Changing it recomputes every KPI.")
    business_model = forms.ChoiceField(label="Business model", choices=BUSINESS_MODELS,
                                       help_text="Decides which KPIs lead the dashboard.")
    survey_sender_name = forms.CharField(
        label="Survey sender name", max_length=120, required=False, validators=[_no_control_characters],
        help_text="The name survey e-mails come from; the company name when left blank.")
    survey_reply_to = forms.EmailField(label="Survey reply-to address", required=False,
                                       help_text="Where replies to survey e-mails go; none when left blank.")


SETTINGS_FIELDS = tuple(CompanySettingsForm.base_fields)


def current_settings(tenant: Tenant) -> dict[str, str]:
    return {name: getattr(tenant, name) for name in SETTINGS_FIELDS}


@dataclass(frozen=True)
class SettingsChange:
    """What ``update_company_settings`` did: each changed field's (old, new) value, and
    the recompute job a currency change queued."""

    changed: dict[str, tuple[str, str]] = field(default_factory=dict)
    job: Job | None = None

    @property
    def currency_changed(self) -> bool:
        return "currency" in self.changed


def update_company_settings(*, tenant: Tenant, by, **changes: str) -> SettingsChange:
    """Change some of the company's settings (fields not given keep their values).

    Raises PermissionDenied unless ``by`` is an owner or admin, and ValidationError with
    the fields' messages for bad values. ``tenant`` (the request's) is updated in place,
    so the rest of the request already shows the new settings.

    A new reporting currency is a change of what the stored amounts mean, so it also:
    writes the old currency into every amount stored without one (those meant the
    reporting currency when they were imported, and are still in it: they need an
    exchange rate now, rather than silently turning into the new currency), and queues
    a full recompute as a Job of its own (not joined to one already queued or running,
    which may have read the old currency). Its caller runs inside the tenant's schema."""
    if not has_role(by, *ADMIN_ROLES):
        raise PermissionDenied("Only owners and admins can change the company's settings.")
    unknown = sorted(set(changes) - set(SETTINGS_FIELDS))
    if unknown:
        raise ValidationError({name: ["This setting cannot be changed here."] for name in unknown})
    with transaction.atomic():
        stored = Tenant.objects.select_for_update().get(pk=tenant.pk)
        form = CompanySettingsForm(data={**current_settings(stored), **changes})
        if not form.is_valid():
            raise ValidationError({name: [error["message"] for error in errors]
                                   for name, errors in form.errors.get_json_data().items()})
        changed = {name: (getattr(stored, name), value) for name, value in form.cleaned_data.items()
                   if getattr(stored, name) != value}
        if not changed:
            return SettingsChange()
        for name, (_, value) in changed.items():
            setattr(stored, name, value)
        stored.save(update_fields=list(changed))
        job = None
        if "currency" in changed:
            _keep_amounts_in(currency=changed["currency"][0])
            job = Job.objects.create(kind=JOB_KIND, created_by=by if by.is_authenticated else None)
            transaction.on_commit(lambda: recompute_kpis.delay(job_id=str(job.pk)))
    for name, (_, value) in changed.items():
        setattr(tenant, name, value)
    return SettingsChange(changed=changed, job=job)


def _keep_amounts_in(*, currency: str) -> None:
    for model in MONEY_MODELS:
        model.objects.filter(currency="").update(currency=currency)
