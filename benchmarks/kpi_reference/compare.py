"""Turn another engine's per-month figures into KPI values through the engine's own
formulas, and compare them value by value with what the engine stored."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from metrics.kpis.evaluate import evaluate
from metrics.kpis.engine.figures import assemble
from metrics.months import Month
from metrics.kpis.registry import Kpi

RELATIVE_TOLERANCE = 1e-9  # the others sum doubles; the engine sums exact decimals
ABSOLUTE_TOLERANCE = 1e-6


def exact(value: Any) -> Any:
    """Doubles as decimals (by their shortest repr), so the formulas run unchanged."""
    if hasattr(value, "item"):  # numpy scalars (np.float64 is also a float)
        value = value.item()
    if isinstance(value, float):
        return Decimal(repr(value))
    return value


def values(figures, kpis: list[Kpi], first_stored: Month) -> dict[tuple[str, Month], Decimal | None]:
    family_rows, present, first_paid, metric_rows = figures
    family_rows = {family: [{name: exact(value) for name, value in row.items()} for row in rows]
                   for family, rows in family_rows.items()}
    metric_rows = [{name: exact(value) for name, value in row.items()} for row in metric_rows]
    months, _ = assemble(family_rows, present, first_paid, metric_rows)
    return {(result.kpi, result.month): result.value
            for result in evaluate(months, kpis, first_stored=first_stored)}


def disagreements(engine: dict, other: dict) -> list[str]:
    problems = []
    for key in sorted(set(engine) | set(other)):
        mine, theirs = engine.get(key, "absent"), other.get(key, "absent")
        if mine is None or theirs is None or isinstance(mine, str) or isinstance(theirs, str):
            if mine != theirs:
                problems.append(f"{key[0]} {key[1]:%Y-%m}: engine {mine}, other {theirs}")
            continue
        if not math.isclose(float(mine), float(theirs), rel_tol=RELATIVE_TOLERANCE, abs_tol=ABSOLUTE_TOLERANCE):
            problems.append(f"{key[0]} {key[1]:%Y-%m}: engine {mine}, other {theirs}")
    return problems
