"""The goal page's chart: actual values, the pace line, the target and the forecast."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone

from metrics.goals import selectors
from metrics.kpis.charts import MemberChartView
from metrics.kpis.registry import find_kpi
from metrics.models import Goal
from metrics.months import add_months, end_of, month_of, month_range

CONTEXT_MONTHS = 5
PALETTE = {"actual": "#2456d6", "pace": "#8a94a6", "target": "#16794a", "forecast": "#b76e00"}


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
        values = selectors.kpi_series(goal.kpi)
        result = selectors.evaluate_goal(goal, as_of=timezone.localdate(), series=values)
        terms = selectors.terms_of(goal)
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
