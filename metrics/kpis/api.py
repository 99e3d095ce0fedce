"""``/api/v1/kpis/...`` (api.md): thin views that parse, authorise and call the
selectors, breakdowns, records and the recompute service. Members read; starting a
recompute is for admins."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import IsTenantAdmin, IsTenantMember
from kpihub.api import Pagination
from metrics.formatting import json_number
from metrics.kpis import selectors, serializers
from metrics.kpis.drilldown import breakdowns
from metrics.kpis.registry import tenant_kpis
from metrics.kpis.tasks import request_recompute
from metrics.segments import selectors as segments
from metrics.date_window import OutsideWindow, check_month
from metrics.kpis.window import day_from
from metrics.months import BadPeriod, Month, add_months, parse_period

MAX_SERIES_MONTHS = 600
MONTH = r"^([0-9]{4}-[0-9]{2})?$"  # YYYY-MM, or empty for the default
PERIOD = OpenApiParameter("period", str, pattern=MONTH, description="YYYY-MM; default: the latest month with data")
FILTER = OpenApiParameter("filter", str, description=(
    "Customers to count: attribute:value1|value2 joined by , (AND), e.g. plan:pro,country:DE|FR; attributes: "
    "plan, channel, country, segment, currency, interval, first_paid_month and extra customer columns by name. "
    "A KPI that cannot follow it is null with a reason."))


def documented(operation_id: str, responses, *parameters: str | OpenApiParameter):
    """The OpenAPI description of a view method: these views return the selectors' plain
    dicts, whose shapes metrics/kpis/serializers.py declares."""
    params = [p if isinstance(p, OpenApiParameter) else OpenApiParameter(p, str) for p in parameters]
    return extend_schema(operation_id=operation_id, parameters=params, request=None, responses=responses)


def tenant_settings() -> tuple[str, str]:
    return connection.tenant.currency, connection.tenant.timezone


def period_param(request, name: str = "period", default: Month | None = None) -> Month | None:
    text = request.query_params.get(name)
    if text is None or text == "":
        return default
    try:
        return check_month(parse_period(text, name=name), name=name)
    except (BadPeriod, OutsideWindow) as exc:
        raise ValidationError({name: [str(exc)]}) from exc


def month_or_default(request) -> Month:
    month = period_param(request, default=selectors.default_period(tenant_settings()[1]))
    if month is None:
        raise ValidationError({"period": ["No data yet: give a period (YYYY-MM)."]})
    return month


class KpiListView(APIView):
    permission_classes = [IsTenantMember]

    @documented("kpis_list", serializers.KpiOfTheMonth(many=True), PERIOD, FILTER)
    def get(self, request):
        segment = segments.customer_filter(request.query_params.get("filter"))
        timezone = tenant_settings()[1]
        month = period_param(request, default=selectors.default_period(timezone))
        if month is None:
            return Response([])
        if segment:
            return Response(segments.month_list(tenant_kpis(), month, segment))
        return Response(selectors.month_list(tenant_kpis(), month))


class KpiDetailView(APIView):
    permission_classes = [IsTenantMember]

    @documented("kpis_one", serializers.KpiValue, PERIOD, FILTER)
    def get(self, request, key: str):
        kpi = selectors.kpi_or_404(key)
        segment = segments.customer_filter(request.query_params.get("filter"))
        if segment:
            return Response(segments.one(kpi, month_or_default(request), segment))
        return Response(selectors.one(kpi, month_or_default(request)))


class KpiSeriesView(APIView):
    permission_classes = [IsTenantMember]

    @documented("kpis_series", serializers.KpiSeries,
                OpenApiParameter("from", str, pattern=MONTH, description="YYYY-MM; default: the first month with data"),
                OpenApiParameter("to", str, pattern=MONTH, description="YYYY-MM; default: the last month with data"),
                FILTER,
                OpenApiParameter("granularity", str, enum=list(selectors.GRANULARITIES),
                                 description="month (default), quarter or year: a point per period, rolled up "
                                             "by the KPI's rule (docs/rollups.md)"))
    def get(self, request, key: str):
        granularity = request.query_params.get("granularity") or "month"
        if granularity not in selectors.GRANULARITIES:
            raise ValidationError({"granularity": [
                f"granularity must be one of {', '.join(selectors.GRANULARITIES)}, not {granularity!r}."]})
        kpi = selectors.kpi_or_404(key)
        covered = selectors.coverage()
        last = period_param(request, "to", covered.last_month if covered and covered.last_month else None)
        first = period_param(request, "from", covered.first_month if covered and covered.first_month else None)
        if first is None or last is None:
            return Response({"key": kpi.key, "unit": kpi.unit, "points": []})
        if first > last:
            raise ValidationError({"from": ["from must not be after to."]})
        if add_months(first, MAX_SERIES_MONTHS) <= last:
            raise ValidationError({"to": [f"A series spans at most {MAX_SERIES_MONTHS} months."]})
        segment = segments.customer_filter(request.query_params.get("filter"))
        if segment:
            return Response(segments.rolled_series(kpi, first, last, granularity, segment))
        return Response(selectors.series(kpi, first, last, granularity))


class MrrOnDayView(APIView):
    """MRR on any day (issue 18, item 4): ``?date=YYYY-MM-DD``, default today in the
    company's zone (docs/decisions.md, "MRR on any day")."""

    permission_classes = [IsTenantMember]

    @documented("kpis_mrr_on_day", serializers.MrrOnDay,
                OpenApiParameter("date", str, pattern=r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$",
                                 description="YYYY-MM-DD; default: today in the company's time zone"))
    def get(self, request):
        text = request.query_params.get("date") or ""
        if text:
            day, error = day_from(text)
            if error:
                raise ValidationError({"date": [error]})
        else:
            day = datetime.now(ZoneInfo(tenant_settings()[1])).date()
        return Response(selectors.mrr_on(day))


class KpiBreakdownView(APIView):
    permission_classes = [IsTenantMember]

    @documented("kpis_breakdown", serializers.KpiBreakdown, PERIOD, FILTER,
                OpenApiParameter("by", str, description="One of the KPI's breakdowns (kpi-catalog.md); default its first"))
    def get(self, request, key: str):
        kpi = selectors.kpi_or_404(key)
        if not kpi.breakdowns:
            raise ValidationError({"by": [f"{kpi.key} has no breakdowns."]})
        by = request.query_params.get("by") or kpi.breakdowns[0]
        if by not in kpi.breakdowns:
            raise ValidationError({"by": [f"{kpi.key} breaks down by {', '.join(kpi.breakdowns)}, not {by!r}."]})
        segment = segments.customer_filter(request.query_params.get("filter"))
        month = month_or_default(request)
        currency, timezone = tenant_settings()
        if segment:
            rows = segments.breakdown(kpi, by, month, segment)
        else:
            rows = breakdowns.breakdown(kpi.key, by, month, currency=currency, timezone=timezone)
        return Response({"key": kpi.key, "by": by, "period": month.strftime("%Y-%m"),
                         "rows": [{"group": row["group"], "value": json_number(row["value"])}
                                  for row in rows]})


class KpiRecordsView(APIView):
    permission_classes = [IsTenantMember]

    @documented("kpis_records", serializers.RecordsPage, PERIOD, FILTER,
                OpenApiParameter("movement", str, description="One of the KPI's movements; default its first"),
                OpenApiParameter("page", {"type": "integer", "minimum": 1}, description="A page number, from 1"),
                OpenApiParameter("page_size", {"type": "integer", "minimum": 1, "maximum": Pagination.max_page_size},
                                 description=f"Records per page (default {Pagination.page_size})"))
    def get(self, request, key: str):
        kpi = selectors.kpi_or_404(key)
        movement = request.query_params.get("movement") or (kpi.movements[0] if kpi.movements else "")
        if movement not in kpi.movements:
            raise ValidationError({"movement": [
                f"{kpi.key} lists records by movement {', '.join(kpi.movements)}, not {movement!r}."]})
        segment = segments.customer_filter(request.query_params.get("filter"))
        month = month_or_default(request)
        paginator = Pagination()
        if segment:
            page = segments.records_page(kpi, movement, month, segment,
                                         lambda record_set: paginator.paginate_queryset(record_set, request, view=self))
        else:
            page = paginator.paginate_queryset(selectors.records_behind(kpi, movement, month), request, view=self)
        return paginator.get_paginated_response(page)


class KpiRecomputeView(APIView):
    permission_classes = [IsTenantAdmin]

    @documented("kpis_recompute", {202: serializers.RecomputeStarted})
    def post(self, request):
        with transaction.atomic():
            job = request_recompute(user=request.user)
        return Response({"job_id": str(job.pk)}, status=status.HTTP_202_ACCEPTED)
