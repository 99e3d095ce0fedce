"""Reads of KPIs for the API and the pages alike: the KPI a URL names, a month's list
with the previous month and the benchmark, one KPI with its inputs, a series, and the
records behind a value."""

from __future__ import annotations

from decimal import localcontext
from typing import Any

from django.db import connection
from django.http import Http404

from metrics.formatting import json_number
from metrics.kpis.engine import in_window
from metrics.kpis.engine.statements import ENGINE_SQL
from metrics.kpis.evaluate import PRECISION, stored as stored_decimal
from metrics.kpis.formulas import TWELVE
from metrics.kpis import rollup
from metrics.kpis.drilldown import records
from metrics.kpis.registry import Kpi, find_kpi
from metrics.models import KpiCoverage, KpiValue, Subscription
from metrics.months import Month, add_months, current_month, format_period, month_of, month_range

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


GRANULARITIES = ("month", "quarter", "year")


def series(kpi: Kpi, first: Month, last: Month, granularity: str = "month") -> dict[str, Any]:
    """api.md's series: a point per month, or (issue 18) per quarter or year rolled up by
    the KPI's rule (rollup.py), a period cut by the range marked ``partial``."""
    if granularity == "month":
        stored = dict(KpiValue.objects.filter(kpi=kpi.key, month__gte=first, month__lte=last)
                      .values_list("month", "value"))
        return {"key": kpi.key, "unit": kpi.unit,
                "points": [{"period": format_period(month), "value": json_number(stored.get(month))}
                           for month in month_range(first, last)]}
    return {"key": kpi.key, "unit": kpi.unit,
            "points": [{"period": label, "value": json_number(value), "partial": partial}
                       for label, value, partial in rolled_series(kpi, first, last, granularity)]}


def period_label(month: Month, granularity: str) -> str:
    if granularity == "quarter":
        return f"{month.year:04d}-Q{(month.month - 1) // 3 + 1}"
    if granularity == "year":
        return f"{month.year:04d}"
    return format_period(month)


def period_start(month: Month, granularity: str) -> Month:
    if granularity == "quarter":
        return month.replace(month=3 * ((month.month - 1) // 3) + 1)
    if granularity == "year":
        return month.replace(month=1)
    return month


def rolled_series(kpi: Kpi, first: Month, last: Month, granularity: str,
                  ) -> list[tuple[str, Any, bool]]:
    """(period label, value, partial) per month, quarter or year of ``first`` ..
    ``last``, from the stored months in one query. A period keeps only the range's
    months; one that the range cuts is ``partial``."""
    stored = {row.month: rollup.MonthValue(row.month, row.value, row.inputs or {})
              for row in KpiValue.objects.filter(kpi=kpi.key, month__gte=first, month__lte=last)
              .only("month", "value", "inputs")}
    return roll_periods(kpi, stored, first, last, granularity)


def roll_periods(kpi: Kpi, stored: dict[Month, rollup.MonthValue], first: Month, last: Month,
                 granularity: str) -> list[tuple[str, Any, bool]]:
    """rolled_series from months already read: the stored ones, or a segment's computed
    ones (metrics/segments/selectors.py), so both roll up by the very same code."""
    periods: dict[Month, list[Month]] = {}
    for month in month_range(first, last):
        periods.setdefault(period_start(month, granularity), []).append(month)
    if granularity == "month":  # the stored values as they are
        return [(period_label(start, granularity), stored[start].value if start in stored else None, False)
                for start in periods]
    size = {"quarter": 3, "year": 12}[granularity]
    return [(period_label(start, granularity),
             rollup.roll_up(kpi, [stored[m] for m in months if m in stored]),
             len(months) < size)
            for start, months in periods.items()]


def mrr_on(day) -> dict[str, Any]:
    """MRR at the end of ``day`` (issue 18, item 4), computed from the subscriptions
    active then in one statement (engine/sql/mrr_on_day.sql): on a month's last day it
    is that month's stored MRR. In the company's currency, at the month's rate."""
    tenant = connection.tenant
    month = month_of(day)
    params = {"first": month, "last": month, "after_last": add_months(month, 1), "day": day,
              "currency": tenant.currency, "tz": tenant.timezone, **in_window.params(tenant.timezone)}
    reason = None
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM metrics_subscription)")
        if cursor.fetchone()[0]:
            cursor.execute(ENGINE_SQL.load("mrr_on_day"), params)
            mrr12, customers, _ = cursor.fetchone()
            with localcontext(PRECISION):
                value = stored_decimal(mrr12 / TWELVE)
        else:
            value, customers, reason = None, 0, "no subscriptions imported"
    return {"key": "mrr", "date": day.isoformat(), "value": json_number(value), "unit": "money",
            "currency": tenant.currency, "customers": customers, "reason": reason}
