"""``GET /api/v1/cohorts/`` (api.md): the cohort matrix of one metric, the same figures
as the Cohorts page and its CSV (selectors.py). Members read. ``filter=`` (segments'
syntax) gives the cohorts of the customers it keeps (docs/cohorts.md); a wrong one is a
400 saying why, as a wrong metric or month is."""

from __future__ import annotations

from django.db import connection
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import IsTenantMember
from metrics.cohorts import selectors
from metrics.cohorts.choices import BadChoice, choose
from metrics.formatting import json_number
from metrics.segments import selectors as segments

MONTH = r"^([0-9]{4}-[0-9]{2})?$"
FILTER = OpenApiParameter("filter", str, description=(
    "The customers whose cohorts to show: attribute:value1|value2 joined by , (AND), e.g. "
    "plan:pro,country:DE|FR; attributes: plan, channel, country, segment, currency, interval, "
    "first_paid_month and extra customer columns by name. A subscription attribute (plan, currency, "
    "interval) keeps the matching subscriptions, so a customer's cohort is its first month paying on them."))


class CohortRow(serializers.Serializer):
    cohort = serializers.CharField(help_text="The cohort's month, YYYY-MM")
    size = serializers.IntegerField(help_text="Customers in the cohort")
    start_mrr = serializers.FloatField(help_text="Their MRR at the end of the cohort month")
    values = serializers.ListField(child=serializers.FloatField(allow_null=True), help_text=(
        "values[k]: the figure at the end of the month cohort + k, up to the month `to`; "
        "null where its base is nothing (no start MRR, no paying customer)"))


class CohortMatrix(serializers.Serializer):
    metric = serializers.ChoiceField(choices=list(selectors.METRICS))
    by = serializers.ChoiceField(choices=list(selectors.BY))
    unit = serializers.ChoiceField(choices=["percent", "money"], help_text=(
        "As the KPIs' units: percent, or money (the company's currency) for arpu"))
    cohorts = CohortRow(many=True)


def as_json(matrix: selectors.Matrix, metric: str) -> dict:
    return {"metric": metric, "by": matrix.by, "unit": selectors.METRICS[metric], "cohorts": [
        {"cohort": f"{cohort.month:%Y-%m}", "size": cohort.size, "start_mrr": json_number(cohort.start_mrr),
         "values": [json_number(value) for value in values]}
        for cohort, values in zip(matrix.cohorts, matrix.values(metric))]}


class CohortsView(APIView):
    permission_classes = [IsTenantMember]

    @extend_schema(operation_id="cohorts", request=None, responses=CohortMatrix, parameters=[
        OpenApiParameter("metric", str, enum=list(selectors.METRICS),
                         description="Default customer_retention (docs/cohorts.md)"),
        OpenApiParameter("by", str, enum=list(selectors.BY), description="Default first_paid_month"),
        OpenApiParameter("from", str, pattern=MONTH,
                         description="The first cohort, YYYY-MM; default 11 months before `to`"),
        OpenApiParameter("to", str, pattern=MONTH,
                         description="The last cohort and the last month followed, YYYY-MM; "
                                     "default the last month with data"),
        FILTER,
    ])
    def get(self, request):
        tenant = connection.tenant
        # Both read before answering, so one 400 names every wrong parameter.
        errors: dict[str, list[str]] = {}
        try:
            choice = choose(request.query_params, timezone=tenant.timezone)
        except BadChoice as exc:
            errors.update(exc.errors)
        try:
            customer_filter = segments.customer_filter(request.query_params.get("filter"))
        except ValidationError as exc:
            errors.update(exc.detail)
        if errors:
            raise ValidationError(errors)
        if choice.first is None:
            matrix = selectors.Matrix(choice.by, None, None, ())
        else:
            matrix = selectors.matrix(by=choice.by, first=choice.first, last=choice.last,
                                      currency=tenant.currency, timezone=tenant.timezone,
                                      data_first=choice.data_first, customer_filter=customer_filter)
        return Response(as_json(matrix, choice.metric))
