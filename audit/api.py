"""``GET /api/v1/audit/`` and ``GET /api/v1/audit/export/``: the audit log for owners
and admins, read-only (any other method answers 405, whoever asks: nothing about the
log is writable through the app)."""

from __future__ import annotations

from django.db import connection
from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.views import APIView

from accounts.roles import IsTenantAdmin
from audit import export, selectors
from audit.actions import ACTIONS
from kpihub.api import Pagination
from metrics.data.export import csv_table

FILTERS = [
    OpenApiParameter("user", int, description="Only what this person did (their id)"),
    OpenApiParameter("action", str, enum=list(ACTIONS), description="Only this action"),
    OpenApiParameter("since", OpenApiTypes.DATE, description="From this day, in the company's time zone"),
    OpenApiParameter("until", OpenApiTypes.DATE, description="Up to and including this day"),
]


class AuditEntryOutput(serializers.Serializer):
    id = serializers.CharField(help_text="Unique across the log")
    at = serializers.DateTimeField(help_text="When, with the company's time zone's offset")
    action = serializers.ChoiceField(choices=list(ACTIONS))
    action_label = serializers.CharField()
    user = serializers.IntegerField(allow_null=True, help_text="Who (their id); null for the system "
                                    "(background work) and for a sign-in that failed")
    user_email = serializers.CharField(help_text="Who, by e-mail (for a failed sign-in: the name typed)")
    object_type = serializers.CharField()
    object_id = serializers.CharField(allow_null=True)
    object = serializers.CharField()
    changes = serializers.DictField(help_text="An update: {field: [before, after]}; otherwise the object's fields")
    ip = serializers.CharField()
    user_agent = serializers.CharField()
    via = serializers.CharField(help_text="session (the browser), token (an API token), api (the token "
                                "endpoint's e-mail and password), or empty for background work")
    token = serializers.CharField(help_text="Which API token (its name and first characters) when via is token")


def _output(entry: selectors.AuditEntry) -> dict:
    # As text: DRF would turn the time into the server's zone, not the company's.
    return {**vars(entry), "at": entry.at.isoformat()}


class _ReadOnly:
    permission_classes = [IsTenantAdmin]

    def initial(self, request, *args, **kwargs):
        # 405 before authentication and roles: no write exists here for anyone.
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            raise MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)

    def events(self, request):
        zone = connection.tenant.zone
        return selectors.audit_events(selectors.parse_filters(request.query_params), zone=zone), zone


class AuditLogView(_ReadOnly, generics.ListAPIView):
    """Who did what, when and from where: every sign-in and every write to goals,
    surveys, people and roles, company settings, imports, undos, deletions and KPI
    recomputes. Owners and admins only."""

    serializer_class = AuditEntryOutput
    pagination_class = Pagination

    @extend_schema(parameters=FILTERS, responses={200: AuditEntryOutput(many=True),
                                                  400: OpenApiResponse(description="A bad filter"),
                                                  403: OpenApiResponse(description="Not an owner or admin")})
    def get(self, request, *args, **kwargs):
        events, zone = self.events(request)
        page = self.paginate_queryset(events)
        return self.get_paginated_response(
            AuditEntryOutput([_output(entry) for entry in selectors.entries(page, zone=zone)], many=True).data)


class AuditExportView(_ReadOnly, APIView):
    """The audit log as CSV, with the same filters."""

    @extend_schema(parameters=FILTERS, responses={(200, "text/csv"): OpenApiTypes.STR,
                                                  400: OpenApiResponse(description="A bad filter"),
                                                  403: OpenApiResponse(description="Not an owner or admin")})
    def get(self, request):
        events, zone = self.events(request)
        response = StreamingHttpResponse(csv_table(export.HEADER, export.rows(events, zone=zone)),
                                         content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="audit-log-{timezone.localdate():%Y%m%d}.csv"'
        return response
