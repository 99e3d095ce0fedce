"""The company settings page (issue 17) on a tenant host: everyone in the company sees
the settings, owners and admins change them (accounts.roles); the rules and what a
change sets off are tenants/company.py's. After a currency change the page follows the
recompute job (htmx polls its progress) and says what the new currency needs."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.roles import ADMIN_ROLES, has_role, member_required
from jobs.models import Job
from metrics.kpis.tasks import JOB_KIND
from tenants.company import CompanySettingsForm, current_settings, update_company_settings
from tenants.selectors import currency_needs


@member_required
@require_http_methods(["GET", "HEAD", "POST"])
def company_settings(request):
    tenant = connection.tenant
    can_change = has_role(request.user, *ADMIN_ROLES)
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied("Only owners and admins can change the company's settings.")
        form = CompanySettingsForm(request.POST)
        if form.is_valid():
            try:
                change = update_company_settings(tenant=tenant, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return _after_change(request, change)
    else:
        form = CompanySettingsForm(initial=current_settings(tenant))
    job = _job(request.GET.get("job"))
    return render(request, "tenants/settings.html", {
        "form": form, "can_change": can_change, "job": job,
        "needs": currency_needs(currency=tenant.currency),
        "readable": [] if can_change else _readable(tenant),
    }, status=400 if form.errors else 200)


def _after_change(request, change):
    if not change.changed:
        messages.info(request, "Nothing changed.")
        return redirect("company-settings")
    names = ", ".join(str(CompanySettingsForm.base_fields[name].label).lower() for name in change.changed)
    messages.success(request, f"Saved: {names}.")
    if not change.currency_changed:
        return redirect("company-settings")
    old, new = change.changed["currency"]
    messages.info(request, f"The reporting currency is now {new} (was {old}): every KPI is being recomputed. "
                           f"Amounts stored without a currency were in {old} and keep it.")
    for sentence in currency_needs(currency=new, previous=old).sentences:
        messages.warning(request, sentence)
    return redirect(f"{request.path}?job={change.job.pk}")


def _readable(tenant) -> list[tuple[str, str]]:
    """The settings as a member reads them: (label, value), choices by their labels."""
    shown = []
    for name, setting in CompanySettingsForm.base_fields.items():
        value = getattr(tenant, name)
        if name in ("locale", "business_model"):
            value = dict(setting.choices).get(value, value)
        shown.append((setting.label, value or "—"))
    return shown


def _job(pk: str | None) -> Job | None:
    if not pk:
        return None
    try:
        return Job.objects.filter(kind=JOB_KIND, pk=pk).first()
    except ValidationError:  # not a UUID: no such job
        return None


@member_required
@require_http_methods(["GET", "HEAD"])
def company_settings_job(request, pk):
    """The recompute's progress, polled by the settings page until it finishes."""
    job = get_object_or_404(Job, kind=JOB_KIND, pk=pk)
    return render(request, "tenants/settings_job.html", {"job": job})
