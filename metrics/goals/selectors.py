"""Reading goals: the KPI values they are measured on, their evaluation as of a date,
and the goals list with its filters. The pages, the API, the e-mails and the jobs read
through these, so a filter means the same thing everywhere."""

from __future__ import annotations

from datetime import date

from metrics.goals import evaluation as ev
from metrics.kpis.registry import kpis_by_key
from metrics.models import Goal, KpiValue


def kpi_series(key: str) -> dict[date, float | None]:
    """The KPI's stored month values (None where the engine had no value)."""
    return series_by_kpi([key])[key]


def series_by_kpi(keys) -> dict[str, dict[date, float | None]]:
    """The stored month values of several KPIs, in one query."""
    series: dict[str, dict[date, float | None]] = {key: {} for key in keys}
    for key, month, value in KpiValue.objects.filter(kpi__in=series).values_list("kpi", "month", "value"):
        series[key][month] = float(value) if value is not None else None
    return series


def kpis_with_goals() -> list[tuple[str, str]]:
    """(key, name) of every KPI an open goal follows, by name: the goals list's filter."""
    keys = set(Goal.objects.filter(archived_at__isnull=True).values_list("kpi", flat=True))
    names = {key: kpi.name for key, kpi in kpis_by_key(keys).items()}
    return sorted(((key, names.get(key, key)) for key in keys), key=lambda pair: pair[1].lower())


def terms_of(goal: Goal) -> ev.GoalTerms:
    return ev.GoalTerms(baseline=float(goal.baseline_value), target=float(goal.target_value),
                        start_date=goal.start_date, deadline=goal.deadline)


def evaluate_goal(goal: Goal, *, as_of: date, series: dict | None = None) -> ev.Evaluation:
    return ev.evaluate(terms_of(goal), kpi_series(goal.kpi) if series is None else series, as_of)


def evaluate_goals(goals, *, as_of: date) -> list[tuple[Goal, ev.Evaluation]]:
    """Each goal with its evaluation; the KPI values are read once for all of them, so
    a list of goals costs the same few queries however long it is."""
    goals = list(goals)
    series = series_by_kpi({goal.kpi for goal in goals})
    return [(goal, evaluate_goal(goal, as_of=as_of, series=series[goal.kpi])) for goal in goals]


def open_goals(*, as_of: date, kpi: str = "", owner: str = "") -> list[tuple[Goal, ev.Evaluation]]:
    """The goals that are not archived, evaluated as of ``as_of``: those on ``kpi`` (a
    KPI key) and of ``owner`` (an e-mail, in any case and spacing) when given."""
    goals = Goal.objects.filter(archived_at__isnull=True).select_related("owner")
    if kpi:
        goals = goals.filter(kpi=kpi)
    if owner := owner.strip().lower():
        goals = goals.filter(owner__username=owner)
    return evaluate_goals(goals, as_of=as_of)


def with_status(evaluated: list[tuple[Goal, ev.Evaluation]], status: str) -> list[tuple[Goal, ev.Evaluation]]:
    """The evaluated goals whose status is ``status`` (all of them when it is empty).
    Apart from ``open_goals`` because the page offers the owners of every status."""
    if not status:
        return evaluated
    return [(goal, result) for goal, result in evaluated if result.status == status]
