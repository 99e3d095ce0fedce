"""Reads of stored KPI values for the API and pages: a month's list with the previous
month and the benchmark, one KPI with its inputs, a series."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from metrics.kpis.periods import Month, add_months, current_month, format_period, month_range
from metrics.kpis.registry import Kpi
from metrics.models import KpiCoverage, KpiValue

NOT_COMPUTED = "KPIs have not been computed yet"


def coverage() -> KpiCoverage | None:
    return KpiCoverage.objects.filter(pk=1).first()


def default_period(timezone: str, *, covered: KpiCoverage | None = ...) -> Month | None:
    """The latest month with data: this month, or the last covered month when the data
    ends earlier, or the first one when it all lies ahead. ``covered`` saves the read
    for a caller that has it already."""
    covered = coverage() if covered is ... else covered
    if not covered or not covered.first_month:
        return None
    return min(max(current_month(timezone), covered.first_month), covered.last_month)


def number(value: Decimal | None) -> float | int | None:
    """A JSON number keeping the 10 stored decimals (at least the 4 the API promises)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() and abs(value) < 2**53 else float(value)


def absent_reason(month: Month) -> str:
    covered = coverage()
    if not covered or not covered.first_month:
        return NOT_COMPUTED if not covered else "no data imported yet"
    return (f"{format_period(month)} is outside the months with data "
            f"({format_period(covered.first_month)} to {format_period(covered.last_month)})")


def month_list(kpis: list[Kpi], month: Month) -> list[dict[str, Any]]:
    previous_month = add_months(month, -1)
    stored = {(v.kpi, v.month): v for v in KpiValue.objects.filter(month__in=[month, previous_month])}
    missing = absent_reason(month)
    items = []
    for kpi in kpis:
        current, previous = stored.get((kpi.key, month)), stored.get((kpi.key, previous_month))
        value = current.value if current else None
        previous_value = previous.value if previous else None
        items.append({
            "key": kpi.key, "name": kpi.name, "category": kpi.category.value, "unit": kpi.unit,
            "direction": kpi.direction.value, "value": number(value), "previous_value": number(previous_value),
            "change": number(value - previous_value) if value is not None and previous_value is not None else None,
            "benchmark": kpi.benchmark.as_dict() if kpi.benchmark else None,
            "reason": (current.reason if current else missing) or None,
        })
    return items


def one(kpi: Kpi, month: Month) -> dict[str, Any]:
    stored = KpiValue.objects.filter(kpi=kpi.key, month=month).first()
    return {"key": kpi.key, "period": format_period(month), "value": number(stored.value) if stored else None,
            "unit": kpi.unit, "inputs": stored.inputs if stored else {},
            "reason": (stored.reason if stored else absent_reason(month)) or None}


def series(kpi: Kpi, first: Month, last: Month) -> dict[str, Any]:
    stored = dict(KpiValue.objects.filter(kpi=kpi.key, month__gte=first, month__lte=last)
                  .values_list("month", "value"))
    return {"key": kpi.key, "unit": kpi.unit,
            "points": [{"period": format_period(month), "value": number(stored.get(month))}
                       for month in month_range(first, last)]}
