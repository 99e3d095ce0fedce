"""``/api/v1/company/export/`` and ``/api/v1/company/delete/`` (api.md): a company
leaving with its data, or leaving. Thin: tenants/tasks.py queues the export,
tenants/export.py writes it, tenants/services.py deletes. (The company's settings,
``/api/v1/company/``, are tenants/api.py's.)"""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from accounts.models import Member
from accounts.roles import IsTenantAdmin, has_role
from kpihub.api import Input
from tenants import export, services
from tenants.tasks import request_export

ExportStarted = inline_serializer("CompanyExportStarted", {
    "job_id": serializers.UUIDField(help_text="GET /api/v1/jobs/{id}/ follows it; once succeeded it "
                                              "carries download_url")})
DeletionRequested = inline_serializer("CompanyDeletionRequested", {
    "purge_after": serializers.DateTimeField(help_text="When the company and all of its data are removed, "
                                                       "unless a platform admin restores it before")})


class IsTenantOwner(BasePermission):
    message = "Only an owner can delete the company."

    def has_permission(self, request, view) -> bool:
        return has_role(request.user, Member.Role.OWNER)


class DeletionInput(Input):
    confirm = serializers.CharField(help_text="The company's slug, typed: what makes the deletion deliberate")


class CompanyExportView(GenericAPIView):
    """Start a full export: every data kind's CSV in its import format, the KPI values,
    the goals and the survey answers in one ZIP, built in the background."""

    permission_classes = [IsTenantAdmin]

    @extend_schema(operation_id="company_export", request=None, responses={202: ExportStarted})
    def post(self, request):
        with transaction.atomic():
            job = request_export(by=request.user)
        return Response({"job_id": str(job.pk)}, status=status.HTTP_202_ACCEPTED)


class CompanyExportDownloadView(GenericAPIView):
    """The finished export's ZIP (the job's ``download_url``); owners and admins of
    this company only. Any other job, or one not finished, is a 404."""

    permission_classes = [IsTenantAdmin]

    @extend_schema(operation_id="company_export_download", responses={(200, "application/zip"): OpenApiTypes.BINARY})
    def get(self, request, pk):
        name = export.finished_archive(pk)
        if name is None:
            raise Http404("No finished export has this id.")
        return FileResponse(default_storage.open(name, "rb"), as_attachment=True, content_type="application/zip",
                            filename=f"{request.tenant.slug}-export-{pk}.zip")


class CompanyDeleteView(GenericAPIView):
    """Delete the company (owners only, the slug typed as ``confirm``): suspended now,
    purged after the 30-day grace period unless a platform admin restores it."""

    permission_classes = [IsTenantOwner]

    @extend_schema(operation_id="company_delete", request=DeletionInput, responses={202: DeletionRequested})
    def post(self, request):
        data = DeletionInput(data=request.data)
        data.is_valid(raise_exception=True)
        tenant = services.request_deletion(tenant=request.tenant, by=request.user,
                                           confirm=data.validated_data["confirm"])
        # In the company's zone, as every time the API gives.
        return Response({"purge_after": timezone.localtime(tenant.purge_after, tenant.zone).isoformat()},
                        status=status.HTTP_202_ACCEPTED)
