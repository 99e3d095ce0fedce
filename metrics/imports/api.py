"""``/api/v1/imports/...`` (api.md): parse, authorise, call a service, serialise."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.roles import IsTenantAdmin, IsTenantMember, ReadForMembersWriteForAdmins
from kpihub.api_schema import Error
from metrics.imports import selectors, services, sources
from metrics.imports.serializers import (
    ImportInput,
    ImportOutput,
    PreviewInput,
    PreviewOutput,
    SourceOutput,
)
from metrics.models import DataImport


class ImportListView(GenericAPIView):
    permission_classes = [ReadForMembersWriteForAdmins]
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = ImportOutput
    queryset = DataImport.objects.none()

    def get_queryset(self):
        return selectors.import_history()

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
                                       date_format=form.validated_data["date_format"],
                                       amount_unit=form.validated_data["amount_unit"],
                                       mode=form.validated_data["mode"],
                                       source=form.validated_data["source"],
                                       mapping=form.validated_data["mapping"],
                                       categories=form.validated_data["categories"],
                                       coupons=form.validated_data["coupons"])
        body = ImportOutput(record, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED)


class ImportPreviewView(GenericAPIView):
    """``POST /api/v1/imports/preview/``: what importing the file would do, from its
    head (the kind and source, each column's origin with samples and suggestions, the
    first rows as they would be stored, the problems). Nothing is written."""

    permission_classes = [IsTenantAdmin]
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = PreviewInput
    queryset = DataImport.objects.none()

    @extend_schema(request=PreviewInput, responses={200: PreviewOutput})
    def post(self, request):
        form = PreviewInput(data=request.data)
        form.is_valid(raise_exception=True)
        found = services.preview_import(upload=form.validated_data["file"], kind=form.validated_data["kind"],
                                        source=form.validated_data["source"],
                                        mapping=form.validated_data["mapping"],
                                        date_format=form.validated_data["date_format"],
                                        amount_unit=form.validated_data["amount_unit"],
                                        categories=form.validated_data["categories"],
                                       coupons=form.validated_data["coupons"])
        return Response(found.as_json())


class ImportDetailView(GenericAPIView):
    permission_classes = [IsTenantMember]
    serializer_class = ImportOutput
    queryset = DataImport.objects.none()

    def get(self, request, pk):
        return Response(ImportOutput(selectors.visible_import(pk), context={"request": request}).data)


class RejectedRowsView(GenericAPIView):
    permission_classes = [IsTenantMember]
    queryset = DataImport.objects.none()

    @extend_schema(responses={(200, "text/csv"): bytes})
    def get(self, request, pk):
        return selectors.rejected_rows_download(selectors.visible_import(pk))


class SourceListView(GenericAPIView):
    """The declared vendor exports (api.md: ``GET /api/v1/imports/sources/``)."""

    permission_classes = [IsTenantMember]
    serializer_class = SourceOutput
    pagination_class = None

    @extend_schema(responses=SourceOutput(many=True))
    def get(self, request):
        return Response(SourceOutput(sources.listing(), many=True).data)


def conflict(error: services.Conflict) -> Response:
    body = {"detail": " ".join(error.messages)}
    if error.later is not None:
        body["later"] = str(error.later.pk)
    return Response(body, status=status.HTTP_409_CONFLICT)


class ImportUndoView(GenericAPIView):
    """``POST /api/v1/imports/{id}/undo/``: the data as before that import (the latest of
    its kind), recorded as an import of origin "undo"; 409 names the later import."""

    permission_classes = [IsTenantAdmin]
    serializer_class = ImportOutput
    queryset = DataImport.objects.none()

    @extend_schema(request=None, responses={200: ImportOutput, 409: OpenApiResponse(
        Error, description="Not the latest import of its kind: later names the import to undo first")})
    def post(self, request, pk):
        try:
            undo = services.undo_import(record=selectors.visible_import(pk), by=request.user)
        except services.Conflict as error:
            return conflict(error)
        return Response(ImportOutput(undo, context={"request": request}).data)


class ImportRetryView(GenericAPIView):
    """``POST /api/v1/imports/{id}/retry/``: run a failed import again from its kept
    file; ``?on_error=skip`` (or the field in the body) after a rejected import writes
    its valid rows."""

    permission_classes = [IsTenantAdmin]
    serializer_class = ImportOutput
    queryset = DataImport.objects.none()

    @extend_schema(request=None, parameters=[OpenApiParameter("on_error", str, enum=["reject", "skip"])],
                   responses={202: ImportOutput})
    def post(self, request, pk):
        on_error = request.query_params.get("on_error") or request.data.get("on_error", "")
        record = services.retry_import(record=selectors.visible_import(pk), on_error=on_error)
        return Response(ImportOutput(record, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)
