"""Reads of KPIs for the API and the pages alike: the KPI a URL names, a month's list
with the previous month and the benchmark, one KPI with its inputs, a series, and the
records behind a value."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.http import Http404

from metrics.formatting import json_number
from metrics.kpis.drilldown import records
from metrics.kpis.registry import Kpi, find_kpi
from metrics.models import KpiCoverage, KpiValue, Subscription
from metrics.months import Month, add_months, current_month, format_period, month_range

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


def kpi_or_404(key: str) -> Kpi:
    """The catalog KPI or custom metric a URL names, or 404."""
    kpi = find_kpi(key)
    if kpi is None:
        raise Http404(f"No KPI {key!r}.")
    return kpi


def records_behind(kpi: Kpi, movement: str, month: Month) -> records.RecordSet:
    """The records one of the KPI's movements lists for the month (the drill-down),
    in the company's currency and time zone."""
    tenant = connection.tenant
    return records.records(movement, month, currency=tenant.currency, timezone=tenant.timezone,
                           metric_slug=kpi.metric_slug or kpi.key,
                           has_subscriptions=Subscription.objects.exists())


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
            "direction": kpi.direction.value, "value": json_number(value), "previous_value": json_number(previous_value),
            "change": json_number(value - previous_value) if value is not None and previous_value is not None else None,
            "benchmark": kpi.benchmark.as_dict() if kpi.benchmark else None,
            "reason": (current.reason if current else missing) or None,
        })
    return items


def one(kpi: Kpi, month: Month) -> dict[str, Any]:
    stored = KpiValue.objects.filter(kpi=kpi.key, month=month).first()
    return {"key": kpi.key, "period": format_period(month), "value": json_number(stored.value) if stored else None,
            "unit": kpi.unit, "inputs": stored.inputs if stored else {},
            "reason": (stored.reason if stored else absent_reason(month)) or None}


def series(kpi: Kpi, first: Month, last: Month) -> dict[str, Any]:
    stored = dict(KpiValue.objects.filter(kpi=kpi.key, month__gte=first, month__lte=last)
                  .values_list("month", "value"))
    return {"key": kpi.key, "unit": kpi.unit,
            "points": [{"period": format_period(month), "value": json_number(stored.get(month))}
                       for month in month_range(first, last)]}
