"""Chart data views (django-chartjs): each answers Chart.js ``{labels, datasets}`` for
one ``<canvas data-chart-url="...">``, plus ``axes`` (the unit of each y axis, which
static/js/charts.js uses to write ticks and tooltips in the company's number format).
Kept in this one module so the charting library can be swapped without touching the
pages (tenancy-notes.md, django-chartjs).

Every view reads the stored KPI values (or, for conversion by channel, one GROUP BY
over traffic) in one query for the whole window: never a query per point."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from chartjs.views.lines import BaseLineChartView
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.roles import role_of
from metrics.goals import services
from metrics.goals.evaluation import add_months, end_of, month_of
from metrics.kpis.channel_trends import conversion_by_channel
from metrics.kpis.periods import Month, format_period, month_range
from metrics.kpis.registry import Category, find_kpi
from metrics.kpis.window import Window, window_from
from metrics.models import Goal, KpiValue

CONTEXT_MONTHS = 5
PALETTE = {"actual": "#2456d6", "pace": "#8a94a6", "target": "#16794a", "forecast": "#b76e00"}
# Colour-blind-safe series colours (Okabe-Ito), in order of use.
SERIES_COLOURS = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000"]


class MemberChartView(BaseLineChartView):
    """Chart data for people of this tenant only (anonymous or other tenants: 404/403
    come from the login check and the tenant's own tables)."""

    def dispatch(self, request, *args, **kwargs):
        if role_of(request.user) is None:
            return JsonResponse({"detail": "Log in as a member of this company."}, status=403)
        return super().dispatch(request, *args, **kwargs)

    def series(self) -> list[tuple[str, list, dict]]:
        """(label, values, Chart.js dataset options) per line; subclasses fill it."""
        return []

    def axes(self) -> dict[str, dict]:
        """{axis id: {"unit": ..., "position": ...}} for the JS side's tick formatting."""
        return {}

    def get_providers(self):
        return [label for label, _, _ in self._series]

    def get_data(self):
        return [values for _, values, _ in self._series]

    def get_datasets(self):
        return [{"label": label, "data": values, **options} for label, values, options in self._series]

    def get_context_data(self, **kwargs):
        self._series = self.series()
        return {**super().get_context_data(**kwargs), "axes": self.axes()}


class GoalChartView(MemberChartView):
    """Actual values, the straight pace line from baseline to target, the target, and
    the forecast to the deadline (goals.md, "Goal page")."""

    def get_labels(self):
        return [month.strftime("%Y-%m") for month in self.months]

    def axes(self):
        return {"y": {"unit": self.unit}}

    def series(self):
        goal = get_object_or_404(Goal, pk=self.kwargs["pk"])
        kpi = find_kpi(goal.kpi)
        self.unit = kpi.unit if kpi else "count"
        values = services.kpi_series(goal.kpi)
        result = services.evaluate_goal(goal, as_of=timezone.localdate(), series=values)
        terms = services.terms_of(goal)
        start, deadline = month_of(goal.start_date), month_of(goal.deadline)
        # Half a year before the start (or the latest value) gives the trend its context.
        first = min(add_months(start, -CONTEXT_MONTHS), add_months(result.period, -CONTEXT_MONTHS))
        self.months = month_range(first, max(deadline, result.period))
        labels = self.get_labels()
        forecast: list[float | None] = [None] * len(labels)
        if result.forecast_value is not None:
            # A straight segment from the latest month's value to the deadline's month.
            forecast[self.months.index(result.period)] = result.current_value
            forecast[self.months.index(deadline)] = round(result.forecast_value, 4)
        line = {"fill": False, "tension": 0}
        return [
            # Through the evaluated month only: the month under way is partly in, and
            # plotting it would show a fall (or a jump) that is not there.
            ("Actual", [values.get(month) if month <= result.period else None for month in self.months],
             {**line, "borderColor": PALETTE["actual"], "backgroundColor": PALETTE["actual"]}),
            ("Pace", [round(terms.pace_value(end_of(month)), 4) if month >= start else None
                      for month in self.months],
             {**line, "borderColor": PALETTE["pace"], "borderDash": [6, 4], "pointRadius": 0}),
            ("Target", [float(goal.target_value)] * len(labels),
             {**line, "borderColor": PALETTE["target"], "pointRadius": 0}),
            ("Forecast", forecast, {**line, "borderColor": PALETTE["forecast"], "borderDash": [2, 3],
                                    "spanGaps": True}),
        ]


# --- KPI charts: the dashboard's and the KPI page's ---------------------------------


@dataclass(frozen=True)
class Plot:
    """One KPI drawn in a chart."""

    kpi: str
    type: str = "line"  # or "bar"
    axis: str = "y"  # "y1" is the right-hand axis, for a second unit
    below_zero: bool = False  # drawn downwards: MRR lost (contraction, churn)
    stack: str = ""  # bars with the same stack pile up
    colour: str = ""  # default: the next of SERIES_COLOURS


@dataclass(frozen=True)
class KpiChart:
    slug: str
    title: str
    plots: tuple[Plot, ...]
    category: Category | None = None  # the dashboard section it is drawn in


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


def bad_window(window: Window) -> JsonResponse:
    return JsonResponse({"detail": window.error}, status=400)


class WindowChartView(MemberChartView):
    """A chart over the months ``?month=`` and ``?range=`` choose (metrics/kpis/window.py)."""

    def get(self, request, *args, **kwargs):
        self.window = window_from(request.GET, timezone=connection.tenant.timezone)
        if self.window.error:
            return bad_window(self.window)
        return super().get(request, *args, **kwargs)

    def get_labels(self):
        return [format_period(month) for month in self.window.months]


class KpiChartView(WindowChartView):
    """Stored KPI values, one dataset per plot, read in one query."""

    @cached_property
    def chart(self) -> KpiChart:
        chart = CHARTS_BY_SLUG.get(self.kwargs["slug"])
        if chart is None:
            raise Http404("No such chart.")
        return chart

    @cached_property
    def kpis(self) -> dict:
        return {plot.kpi: find_kpi(plot.kpi) for plot in self.chart.plots}

    def axes(self):
        axes: dict[str, dict] = {}
        for plot in self.chart.plots:
            kpi = self.kpis[plot.kpi]
            axes.setdefault(plot.axis, {"unit": kpi.unit, "position": "right" if plot.axis == "y1" else "left",
                                        "stacked": bool(plot.stack and plot.type == "bar")})
        return axes

    def series(self):
        plots = self.chart.plots
        months = self.window.months
        stored = stored_values([plot.kpi for plot in plots], months)
        result = []
        for index, plot in enumerate(plots):
            kpi = self.kpis[plot.kpi]
            sign = -1 if plot.below_zero else 1
            values = [None if stored.get((plot.kpi, m)) is None else sign * stored[(plot.kpi, m)]
                      for m in months]
            colour = plot.colour or SERIES_COLOURS[index % len(SERIES_COLOURS)]
            options = {"type": plot.type, "yAxisID": plot.axis, "borderColor": colour,
                       "backgroundColor": colour, "spanGaps": True, "kpi": plot.kpi,
                       "unit": kpi.unit, "order": 0 if plot.type == "line" else 1}
            if plot.stack:
                options["stack"] = plot.stack
            result.append((kpi.name + (" (lost)" if plot.below_zero else ""), values, options))
        return result


def stored_values(keys: list[str], months: list[Month]) -> dict[tuple[str, Month], float]:
    if not months:
        return {}
    rows = KpiValue.objects.filter(kpi__in=keys, month__gte=months[0], month__lte=months[-1],
                                   value__isnull=False).values_list("kpi", "month", "value")
    return {(key, month): float(value) for key, month, value in rows}


class KpiSeriesChartView(KpiChartView):
    """One KPI's series for its page (12 / 24 months / all)."""

    @cached_property
    def kpi(self):
        kpi = find_kpi(self.kwargs["key"])
        if kpi is None:
            raise Http404("No such KPI.")
        return kpi

    @cached_property
    def chart(self) -> KpiChart:
        return KpiChart(self.kpi.key, self.kpi.name, (Plot(self.kpi.key),))

    @cached_property
    def kpis(self) -> dict:
        return {self.kpi.key: self.kpi}


class ConversionByChannelChartView(WindowChartView):
    """Visitor conversion rate per traffic channel, a line each."""

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
