"""The dashboard's charts, declared once: each section's KPI charts (drawn from the
stored values, or with ``?filter=`` a segment's values: segment.py) and the visitor
conversion rate per channel (one GROUP BY over traffic, which no customer filter can
follow)."""

from __future__ import annotations

from functools import cached_property

from django.http import Http404, JsonResponse

from metrics.dashboard.segment import SegmentValues, segment_values

from metrics.kpis.charts import SERIES_COLOURS, KpiChart, KpiChartView, Plot, WindowChartView
from metrics.kpis.drilldown.channel_trends import conversion_by_channel
from metrics.kpis.registry import Category
from metrics.months import Month
from metrics.segments.bar import requested_filter
from metrics.segments.engine import CANNOT_FOLLOW
from metrics.segments.filters import CustomerFilter

MOVEMENT = "movements"
DASHBOARD_CHARTS = (
    # Gains in blues and green, losses in orange and red, the lines dark.
    KpiChart("mrr", "MRR and its movements", (
        Plot("new_mrr", "bar", stack=MOVEMENT, colour="#0072b2"),
        Plot("expansion_mrr", "bar", stack=MOVEMENT, colour="#009e73"),
        Plot("reactivation_mrr", "bar", stack=MOVEMENT, colour="#56b4e9"),
        Plot("contraction_mrr", "bar", below_zero=True, stack=MOVEMENT, colour="#e69f00"),
        Plot("churned_mrr", "bar", below_zero=True, stack=MOVEMENT, colour="#d55e00"),
        Plot("net_new_mrr", stack="net", colour="#1b1f3b"), Plot("mrr", axis="y1", colour="#cc79a7")),
        Category.REVENUE),
    KpiChart("revenue", "Revenue and gross margin", (
        Plot("revenue", "bar"), Plot("gross_margin", axis="y1")), Category.REVENUE),
    KpiChart("customers", "Customers and churn rate", (
        Plot("customers", "bar"), Plot("customer_churn_rate", axis="y1")), Category.CUSTOMERS),
    KpiChart("cac-ltv", "CAC against LTV", (Plot("cac", "bar"), Plot("ltv")), Category.ACQUISITION),
    KpiChart("satisfaction", "NPS and CSAT", (Plot("nps"), Plot("csat", axis="y1")), Category.SATISFACTION),
)
CHARTS_BY_SLUG = {chart.slug: chart for chart in DASHBOARD_CHARTS}


def chart_filter(request) -> tuple[CustomerFilter, JsonResponse | None]:
    """The chart's ``?filter=``, or a wrong one's 400 saying why."""
    customer_filter, error = requested_filter(request)
    return customer_filter, JsonResponse({"detail": error}, status=400) if error else None


class DashboardChartView(KpiChartView):
    """One of DASHBOARD_CHARTS, by its slug; of a segment with ``?filter=``: its values,
    a KPI that cannot follow the filter drawn empty and labelled so."""

    def get(self, request, *args, **kwargs):
        self.customer_filter, error = chart_filter(request)
        return error or super().get(request, *args, **kwargs)

    @cached_property
    def chart(self) -> KpiChart:
        chart = CHARTS_BY_SLUG.get(self.kwargs["slug"])
        if chart is None:
            raise Http404("No such chart.")
        return chart

    @cached_property
    def segment(self) -> SegmentValues | None:
        if not self.customer_filter:
            return None
        return segment_values(self.customer_filter)

    def values(self, keys: list[str], months: list[Month]) -> dict[tuple[str, Month], float]:
        if self.segment is None:
            return super().values(keys, months)
        return {(key, month): float(self.segment.value(key, month)) for key in keys for month in months
                if self.segment.value(key, month) is not None}

    def series(self):
        lines = super().series()
        if self.segment is None:
            return lines
        return [(f"{label} ({CANNOT_FOLLOW})" if self.segment.cannot_follow(options["kpi"]) else label, values, options)
                for label, values, options in lines]


class ConversionByChannelChartView(WindowChartView):
    """Visitor conversion rate per traffic channel, a line each. Traffic belongs to no
    customer: with a filter, a 400 that says it cannot follow (the segment's dashboard
    does not ask for it)."""

    def get(self, request, *args, **kwargs):
        customer_filter, error = chart_filter(request)
        if error is None and customer_filter:
            error = JsonResponse({"detail": f"Visitor conversion by channel {CANNOT_FOLLOW}."}, status=400)
        return error or super().get(request, *args, **kwargs)

    def axes(self):
        return {"y": {"unit": "percent", "position": "left"}}

    def series(self):
        months = self.window.months
        if not months:
            return []
        rates = conversion_by_channel(months[0], months[-1])
        return [(channel, [None if by_month.get(m) is None else round(float(by_month[m]), 4) for m in months],
                 {"type": "line", "yAxisID": "y", "spanGaps": True, "unit": "percent",
                  "borderColor": SERIES_COLOURS[index % len(SERIES_COLOURS)],
                  "backgroundColor": SERIES_COLOURS[index % len(SERIES_COLOURS)]})
                for index, (channel, by_month) in enumerate(rates.items())]
