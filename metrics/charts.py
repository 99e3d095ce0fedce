"""Chart data views (django-chartjs): each answers Chart.js ``{labels, datasets}`` for
one ``<canvas data-chart-url="...">``. Kept in this one module so the charting library
can be swapped without touching the pages (tenancy-notes.md, django-chartjs)."""

from __future__ import annotations

from chartjs.views.lines import BaseLineChartView
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.roles import role_of
from metrics.goals import services
from metrics.goals.evaluation import add_months, end_of, month_of
from metrics.kpis.periods import month_range
from metrics.models import Goal

CONTEXT_MONTHS = 5
PALETTE = {"actual": "#2456d6", "pace": "#8a94a6", "target": "#16794a", "forecast": "#b76e00"}


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

    def get_providers(self):
        return [label for label, _, _ in self._series]

    def get_data(self):
        return [values for _, values, _ in self._series]

    def get_datasets(self):
        return [{"label": label, "data": values, **options} for label, values, options in self._series]

    def get_context_data(self, **kwargs):
        self._series = self.series()
        return super().get_context_data(**kwargs)


class GoalChartView(MemberChartView):
    """Actual values, the straight pace line from baseline to target, the target, and
    the forecast to the deadline (goals.md, "Goal page")."""

    def get_labels(self):
        return [month.strftime("%Y-%m") for month in self.months]

    def series(self):
        goal = get_object_or_404(Goal, pk=self.kwargs["pk"])
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
            ("Actual", [values.get(month) for month in self.months],
             {**line, "borderColor": PALETTE["actual"], "backgroundColor": PALETTE["actual"]}),
            ("Pace", [round(terms.pace_value(end_of(month)), 4) if month >= start else None
                      for month in self.months],
             {**line, "borderColor": PALETTE["pace"], "borderDash": [6, 4], "pointRadius": 0}),
            ("Target", [float(goal.target_value)] * len(labels),
             {**line, "borderColor": PALETTE["target"], "pointRadius": 0}),
            ("Forecast", forecast, {**line, "borderColor": PALETTE["forecast"], "borderDash": [2, 3],
                                    "spanGaps": True}),
        ]
