"""Chart data views (django-chartjs): each answers Chart.js ``{labels, datasets, axes}``
for one ``<canvas data-chart-url="...">``; ``axes`` gives the unit of each y axis, which
static/js/charts.js uses to write ticks and tooltips in the company's number format.
The dashboard's charts (metrics/dashboard/charts.py) and the goal chart
(metrics/goals/charts.py) are built on these, so the charting library can be swapped
here without touching the pages (tenancy-notes.md, django-chartjs).

Every view reads the stored KPI values in one query for the whole window: never a
query per point."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from chartjs.views.lines import BaseLineChartView
from django.db import connection
from django.http import Http404, JsonResponse

from accounts.roles import role_of
from metrics.kpis.registry import Category, find_kpi
from metrics.formatting import json_number
from metrics.kpis.selectors import roll_periods, rolled_series
from metrics.kpis.window import Window, chart_range_from, window_from
from metrics.models import KpiValue
from metrics.months import Month, add_months, format_period
from metrics.segments import selectors as segments
from metrics.segments.bar import requested_filter

# Colour-blind-safe series colours (Okabe-Ito), in order of use.
SERIES_COLOURS = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000"]
# The decimals an axis's ticks step by, per unit: as many as its tick labels show
# (static/js/charts.js), so no two ticks read the same ("1, 1, 1, 0" on an NPS of
# about 1): counts, scores and money whole, percentages, hours and months to a tenth.
TICK_DECIMALS = {"count": 0, "score": 0, "money": 0, "percent": 1, "hours": 1, "months": 1, "ratio": 2}


def axis_ticks(unit: str) -> dict:
    """Chart.js ``ticks`` options of a y axis in ``unit``."""
    return {"precision": TICK_DECIMALS.get(unit, 1)}


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
        # Only what Chart.js draws: the generic view's context also holds the view
        # object and the URL's arguments, which are the server's business.
        self._series = self.series()
        axes = {axis_id: {**axis, "ticks": {**axis_ticks(axis.get("unit", "")), **axis.get("ticks", {})}}
                for axis_id, axis in self.axes().items()}
        return {"labels": self.get_labels(), "datasets": self.get_datasets(), "axes": axes}


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

    chart: KpiChart  # set by each subclass

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
        stored = self.values([plot.kpi for plot in plots], months)
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

    def values(self, keys: list[str], months: list[Month]) -> dict[tuple[str, Month], float]:
        """The values drawn: the stored ones (the dashboard's charts of a segment
        draw the segment's, metrics/dashboard/charts.py)."""
        return stored_values(keys, months)


def stored_values(keys: list[str], months: list[Month]) -> dict[tuple[str, Month], float]:
    if not months:
        return {}
    rows = KpiValue.objects.filter(kpi__in=keys, month__gte=months[0], month__lte=months[-1],
                                   value__isnull=False).values_list("kpi", "month", "value")
    return {(key, month): float(value) for key, month, value in rows}


class KpiSeriesChartView(KpiChartView):
    """One KPI's series for its page (the window's months, or ``?from=&to=``), by month,
    quarter or year (``?granularity=``, rolled up by the KPI's rule: rollup.py), with the
    same periods a year earlier as a second line on ``?yoy=1``; on ``?filter=`` the
    segment's months (computed once for both lines), rolled up by the same code."""

    def get(self, request, *args, **kwargs):
        self.window = window_from(request.GET, timezone=connection.tenant.timezone)
        self.range = chart_range_from(request.GET, self.window)
        self.customer_filter, wrong_filter = requested_filter(request)
        errors = [self.window.error, self.range.error, wrong_filter]
        if any(errors):
            return JsonResponse({"detail": " ".join(filter(None, errors))}, status=400)
        return super(WindowChartView, self).get(request, *args, **kwargs)

    @cached_property
    def segment_months(self) -> dict:
        return segments.months_of(self.kpi, self.customer_filter)

    def rolled(self, first: Month, last: Month) -> list[tuple[str, object, bool]]:
        if self.customer_filter:
            return roll_periods(self.kpi, self.segment_months, first, last, self.range.granularity)
        return rolled_series(self.kpi, first, last, self.range.granularity)

    @cached_property
    def periods(self) -> list[tuple[str, object, bool]]:
        if self.range.first is None:
            return []
        return self.rolled(self.range.first, self.range.last)

    def get_labels(self):
        """A period the range cuts says so: "2026-Q4 (partial)"."""
        return [f"{label} (partial)" if partial else label for label, _, partial in self.periods]

    def series(self):
        colour = SERIES_COLOURS[0]
        options = {"type": "line", "yAxisID": "y", "borderColor": colour, "backgroundColor": colour,
                   "spanGaps": True, "kpi": self.kpi.key, "unit": self.kpi.unit, "order": 0}
        name = f"{self.kpi.name} ({self.customer_filter.text})" if self.customer_filter else self.kpi.name
        result = [(name, [json_number(value) for _, value, _ in self.periods], options)]
        if self.range.yoy and self.periods:
            earlier = self.rolled(add_months(self.range.first, -12), add_months(self.range.last, -12))
            other = SERIES_COLOURS[1]
            result.append((f"{name}, a year earlier", [json_number(value) for _, value, _ in earlier],
                           {**options, "borderColor": other, "backgroundColor": other, "borderDash": [6, 4],
                            "periods": [label for label, _, _ in earlier]}))
        return result

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
