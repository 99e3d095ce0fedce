"""Import and data endpoints: parse, authorise, call a service, serialise."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from accounts.roles import IsTenantMember, ReadForMembersWriteForAdmins
from metrics.api.serializers import ImportInput, ImportOutput
from metrics.data import browse
from metrics.imports import services
from metrics.imports.kinds import KINDS
from metrics.models import DataImport


def visible_import(pk) -> DataImport:
    """An import of this tenant (the schema is the tenant's), with a dead worker noticed."""
    record = get_object_or_404(DataImport.objects.select_related("job", "created_by"), pk=pk)
    services.notice_abandoned(record)
    return record


class ImportListView(GenericAPIView):
    permission_classes = [ReadForMembersWriteForAdmins]
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = ImportOutput
    queryset = DataImport.objects.none()

    def get_queryset(self):
        return DataImport.objects.select_related("job", "created_by").order_by("-created_at")

    @extend_schema(responses=ImportOutput(many=True))
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ImportOutput(page, many=True, context={"request": request}).data)

    @extend_schema(request=ImportInput, responses={202: ImportOutput})
    def post(self, request):
        form = ImportInput(data=request.data)
        form.is_valid(raise_exception=True)
        record = services.start_import(by=request.user, upload=form.validated_data["file"],
                                       kind=form.validated_data["kind"],
                                       on_error=form.validated_data["on_error"],
                                       date_format=form.validated_data["date_format"])
        body = ImportOutput(record, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED)


class ImportDetailView(GenericAPIView):
    permission_classes = [IsTenantMember]
    serializer_class = ImportOutput
    queryset = DataImport.objects.none()

    def get(self, request, pk):
        return Response(ImportOutput(visible_import(pk), context={"request": request}).data)


class RejectedRowsView(GenericAPIView):
    permission_classes = [IsTenantMember]
    queryset = DataImport.objects.none()

    @extend_schema(responses={(200, "text/csv"): bytes})
    def get(self, request, pk):
        return rejected_rows_response(visible_import(pk))


def rejected_rows_response(record: DataImport) -> FileResponse:
    if not record.rejected_file:
        raise Http404("This import has no rejected rows.")
    name = f"{record.kind}-rejected-{record.created_at:%Y%m%d-%H%M}.csv"
    return FileResponse(record.rejected_file.open("rb"), as_attachment=True, filename=name,
                        content_type="text/csv; charset=utf-8")


class DataView(GenericAPIView):
    """GET: the stored records of the kind. POST: a JSON list of records, imported at
    once through the same pipeline as a file; 200 with the import's counts and errors."""

    permission_classes = [ReadForMembersWriteForAdmins]
    parser_classes = [JSONParser]
    serializer_class = serializers.Serializer
    queryset = DataImport.objects.none()

    def kind(self):
        kind = KINDS.get(self.kwargs["kind"])
        if kind is None:
            raise Http404("Unknown kind.")
        return kind

    @extend_schema(parameters=[
        OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(KINDS)),
        OpenApiParameter("from", str, description="Date range start (YYYY-MM-DD) on the kind's date"),
        OpenApiParameter("to", str, description="Date range end (YYYY-MM-DD), inclusive"),
        OpenApiParameter("search", str, description="Text in any text column"),
        OpenApiParameter("key columns", str, description="Any key column, e.g. ?invoice_id=INV-1"),
    ], responses=inline_serializer("DataPage", {
        "count": serializers.IntegerField(), "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": serializers.ListField(child=serializers.DictField(),
                                             help_text="The records, with the kind's columns as text")}))
    def get(self, request, kind):
        kind = self.kind()
        keys = {name: request.query_params.get(name, "")
                for key in kind.keys for name in key.columns}
        rows = browse.records(kind, search=request.query_params.get("search", ""), keys=keys,
                              date_from=request.query_params.get("from", ""),
                              date_to=request.query_params.get("to", ""))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response([browse.as_text(kind, record) for record in page])

    @extend_schema(request={"application/json": {"type": "array", "items": {"type": "object"}}},
                   parameters=[OpenApiParameter("on_error", str, enum=["reject", "skip"]),
                               OpenApiParameter("date_format", str, enum=["DD/MM/YYYY", "MM/DD/YYYY"])],
                   responses={200: ImportOutput})
    def post(self, request, kind):
        kind = self.kind()
        record = services.import_records(
            kind=kind.name, records=request.data, by=request.user,
            on_error=request.query_params.get("on_error", "reject"),
            date_format=request.query_params.get("date_format", ""))
        return Response(ImportOutput(record, context={"request": request}).data)
