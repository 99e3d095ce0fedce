"""The Leave page, ``/settings/leave/`` on a tenant host (owners and admins): export the
company's data with a progress bar, and (owners) delete the company with its slug typed.
The same services as ``/api/v1/company/export/`` and ``/delete/`` (tenants/leave_api.py).
Included by kpihub/urls/tenant.py; the settings page links here."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from accounts.models import Member
from accounts.roles import admin_required, has_role, role_required
from jobs.models import Job
from tenants import export, services
from tenants.tasks import request_export

owner_required = role_required(Member.Role.OWNER)


def _export_job(pk) -> Job:
    job = Job.objects.filter(pk=pk, kind=export.JOB_KIND).first()
    if job is None:
        raise Http404("No export has this id.")
    return job


@admin_required
def leave_page(request):
    latest = Job.objects.filter(kind=export.JOB_KIND).order_by("-created_at").first()
    return render(request, "tenants/leave.html", {
        "job": latest, "can_delete": has_role(request.user, Member.Role.OWNER),
        "grace_days": services.DELETION_GRACE.days, "confirm": ""})


@admin_required
@require_POST
def export_start(request):
    with transaction.atomic():
        job = request_export(by=request.user)
    if request.htmx:
        return render(request, "tenants/_export_progress.html", {"job": job})
    return redirect("company-leave")


@admin_required
def export_progress(request, pk):
    """The fragment htmx polls every second while the export runs; once finished it
    comes without the polling trigger, with the download link."""
    return render(request, "tenants/_export_progress.html", {"job": _export_job(pk)})


@owner_required
@require_POST
def delete_company(request):
    confirm = request.POST.get("confirm", "")
    try:
        services.request_deletion(tenant=request.tenant, by=request.user, confirm=confirm)
    except ValidationError as error:
        latest = Job.objects.filter(kind=export.JOB_KIND).order_by("-created_at").first()
        return render(request, "tenants/leave.html", {
            "job": latest, "can_delete": True, "grace_days": services.DELETION_GRACE.days,
            "confirm": confirm, "delete_errors": error.messages}, status=400)
    # The host is suspended from now on: the next page is the suspended page, which says so.
    return redirect("/")


urlpatterns = [
    path("", leave_page, name="company-leave"),
    path("export/", export_start, name="company-export-start"),
    path("export/<uuid:pk>/", export_progress, name="company-export-progress"),
    path("delete/", delete_company, name="company-delete"),
]
