"""``/api/v1/data/{kind}/`` (api.md): the stored records of a kind (GET; ``filter=``
lists a segment's customers' records only) and JSON records imported through the same pipeline as a file (POST); one record deleted by its
key (``DELETE /api/v1/data/{kind}/{key}/``)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from accounts.roles import IsTenantAdmin, ReadForMembersWriteForAdmins
from kpihub.api_schema import Error
from metrics.data import selectors
from metrics.imports import services
from metrics.imports.kinds import KINDS
from metrics.imports.serializers import ImportOutput
from metrics.models import DataImport
from metrics.segments import selectors as segments

FILTER = OpenApiParameter("filter", str, description=(
    "Only the records of these customers: attribute:value1|value2 joined by , (AND), e.g. plan:pro,country:DE|FR; "
    "attributes: plan, channel, country, segment, currency, interval, first_paid_month and extra customer columns "
    "by name. A plan, currency or interval condition also keeps only the matching subscriptions. Kinds without "
    "customers (traffic, expenses, leads, metric values, fx rates) cannot follow it: a 400."))


class DataView(GenericAPIView):
    """GET: the stored records of the kind. POST: a JSON list of records, imported at
    once through the same pipeline as a file; 200 with the import's counts and errors."""

    permission_classes = [ReadForMembersWriteForAdmins]
    parser_classes = [JSONParser]
    serializer_class = serializers.Serializer
    queryset = DataImport.objects.none()

    @extend_schema(parameters=[
        OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(KINDS)),
        OpenApiParameter("from", OpenApiTypes.DATE, description="Date range start (YYYY-MM-DD) on the kind's date"),
        OpenApiParameter("to", OpenApiTypes.DATE, description="Date range end (YYYY-MM-DD), inclusive"),
        OpenApiParameter("search", str, description="Text in any text column"),
        OpenApiParameter("key columns", str, description="Any key column, e.g. ?invoice_id=INV-1"),
        FILTER,
    ], responses=inline_serializer("DataPage", {
        "count": serializers.IntegerField(), "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": serializers.ListField(child=serializers.DictField(),
                                             help_text="The records, with the kind's columns as text")}))
    def get(self, request, kind):
        kind = selectors.kind_or_404(kind)
        keys = {name: request.query_params.get(name, "")
                for key in kind.keys for name in key.columns}
        customer_filter = segments.customer_filter(request.query_params.get("filter"))
        with selectors.segment_records(kind, customer_filter, search=request.query_params.get("search", ""),
                                       keys=keys, date_from=request.query_params.get("from", ""),
                                       date_to=request.query_params.get("to", "")) as rows:
            page = [selectors.as_text(kind, record) for record in self.paginate_queryset(rows)]
        return self.get_paginated_response(page)

    @extend_schema(request={"application/json": {"type": "array", "items": {"type": "object"}}},
                   parameters=[OpenApiParameter("on_error", str, enum=["reject", "skip"]),
                               OpenApiParameter("date_format", str, enum=["DD/MM/YYYY", "MM/DD/YYYY"])],
                   responses={200: ImportOutput})
    def post(self, request, kind):
        kind = selectors.kind_or_404(kind)
        record = services.import_records(
            kind=kind.name, records=request.data, by=request.user,
            on_error=request.query_params.get("on_error") or "reject",
            date_format=request.query_params.get("date_format", ""))
        return Response(ImportOutput(record, context={"request": request}).data)


class DataRecordView(GenericAPIView):
    """DELETE: one record, by its key (``selectors.record_by_key`` has the syntax of a
    composite key); 204, 404, or 409 when other records refer to it. Audited as an
    import of origin "delete", which can be undone."""

    permission_classes = [IsTenantAdmin]
    serializer_class = serializers.Serializer
    queryset = DataImport.objects.none()

    @extend_schema(parameters=[
        OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(KINDS)),
        OpenApiParameter("key", str, OpenApiParameter.PATH,
                         description="The key's value; a composite key's values in order, joined by commas "
                                     "(the last may hold commas). Or any text here and every key column "
                                     "as a query parameter, e.g. ?date=2024-01-15&channel=paid"),
    ], responses={204: None, 409: OpenApiResponse(Error, description="Other records refer to it")})
    def delete(self, request, kind, key):
        kind = selectors.kind_or_404(kind)
        names = {name for declared in kind.keys for name in declared.columns}
        values = {name: value for name, value in request.query_params.items() if name in names}
        try:
            services.delete_record(kind=kind.name, key=key, values=values, by=request.user)
        except services.Conflict as error:
            return Response({"detail": " ".join(error.messages)}, status=status.HTTP_409_CONFLICT)
        return Response(status=status.HTTP_204_NO_CONTENT)
