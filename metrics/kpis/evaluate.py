"""From per-month figures to KPI values: the catalog's formulas applied month by month,
in registry order (a KPI may use those declared before it), with exact decimals.

Pure: plain dicts in, ``Result`` rows out; the database is compute.py's business.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Context, Decimal, localcontext
from typing import Any, Iterable, Sequence

from metrics.formatting import json_number
from metrics.kpis.formulas import TWELVE, Missing, MonthFigures, Unavailable
from metrics.months import Month
from metrics.kpis.registry import Kpi

CHURN_WINDOW = 3  # ltv: churn pooled over M-2..M
STORED_DECIMALS = Decimal("1e-10")
PRECISION = Context(prec=60)


@dataclass(frozen=True)
class Result:
    kpi: str
    month: Month
    value: Decimal | None
    inputs: dict[str, Any]
    reason: str


def evaluate(figures_by_month: dict[Month, dict[str, Any]], kpis: Sequence[Kpi], *,
             first_stored: Month) -> list[Result]:
    """Results for every KPI and every month from ``first_stored`` on. Months before it
    (the engine computes one) only serve as "the previous month"."""
    results: list[Result] = []
    with localcontext(PRECISION):
        previous: MonthFigures | None = None
        history: list[MonthFigures] = []
        for month in sorted(figures_by_month):
            figures = MonthFigures(month, figures_by_month[month], previous)
            _carry_previous(figures, previous)
            if month >= first_stored:
                history.append(figures)
                _add_churn_window(figures, history[-CHURN_WINDOW:])
            for kpi in kpis:
                result = _compute(kpi, figures)
                if month >= first_stored:
                    results.append(result)
            previous = figures
    return results


def _compute(kpi: Kpi, figures: MonthFigures) -> Result:
    try:
        value = kpi.formula(figures)
    except Unavailable as exc:
        figures[kpi.key] = Missing(str(exc))
        return Result(kpi.key, figures.month, None, _inputs(kpi, figures), str(exc))
    figures[kpi.key] = value
    return Result(kpi.key, figures.month, stored(value), _inputs(kpi, figures), "")


def stored(value: int | Decimal) -> Decimal:
    """The value as kept in KpiValue: 10 decimals, rounded half to even."""
    return Decimal(value).quantize(STORED_DECIMALS)


def _inputs(kpi: Kpi, figures: MonthFigures) -> dict[str, Any]:
    inputs = {}
    for entry in kpi.shows:
        label, name = entry if isinstance(entry, tuple) else (entry, entry)
        value = figures.raw(name)
        if not isinstance(value, Missing):
            inputs[label] = json_number(value)
    return inputs


# Figures of the month before, under the names the formulas and inputs use.
CARRIED = {
    "customers_at_start": ("paying_customers", 1),
    "mrr_at_start": ("mrr12", TWELVE),
    "revenue_previous_month": ("invoice_revenue", 1),
    "qualified_leads_previous_month": ("leads_qualified", 1),
}


def _carry_previous(figures: MonthFigures, previous: MonthFigures | None) -> None:
    for name, (source, divisor) in CARRIED.items():
        value = previous.raw(source) if previous else Missing("no earlier month")
        figures[name] = value if isinstance(value, Missing) or divisor == 1 else Decimal(value) / divisor


def _add_churn_window(figures: MonthFigures, window: Iterable[MonthFigures]) -> None:
    """ltv's churn: churned customers and customers at the start of each month of
    M-2..M (only months with data: fewer when the history is shorter)."""
    window = list(window)
    values = [(month.raw("churned_count"), month.raw("customers_at_start")) for month in window]
    missing = next((value for pair in values for value in pair if isinstance(value, Missing)), None)
    if missing is not None:
        figures["churned_customers_3m"] = figures["customers_at_start_3m"] = missing
        return
    figures["churned_customers_3m"] = sum(churned for churned, _ in values)
    figures["customers_at_start_3m"] = sum(start for _, start in values)
    figures["months_in_churn_window"] = len(window)
