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
from metrics.goals.evaluation import end_of, month_of
from metrics.kpis.periods import month_range
from metrics.models import Goal

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
        result = services.evaluate_goal(goal, as_of=timezone.localdate())
        terms = services.terms_of(goal)
        self.months = month_range(month_of(goal.start_date), max(month_of(goal.deadline), result.period))
        actual = {point["period"]: point["actual"] for point in result.history}
        labels = self.get_labels()
        # The forecast: a straight segment from the latest value to the deadline's month.
        forecast: list[float | None] = [None] * len(labels)
        period = result.period.strftime("%Y-%m")
        if result.forecast_value is not None and period in labels:
            forecast[labels.index(period)] = result.current_value
            forecast[labels.index(month_of(goal.deadline).strftime("%Y-%m"))] = round(result.forecast_value, 4)
        line = {"fill": False, "tension": 0}
        return [
            ("Actual", [actual.get(label) for label in labels],
             {**line, "borderColor": PALETTE["actual"], "backgroundColor": PALETTE["actual"]}),
            ("Pace", [round(terms.pace_value(end_of(month)), 4) for month in self.months],
             {**line, "borderColor": PALETTE["pace"], "borderDash": [6, 4], "pointRadius": 0}),
            ("Target", [float(goal.target_value)] * len(labels),
             {**line, "borderColor": PALETTE["target"], "pointRadius": 0}),
            ("Forecast", forecast, {**line, "borderColor": PALETTE["forecast"], "borderDash": [2, 3],
                                    "spanGaps": True}),
        ]
