"""A custom range of months on the dashboard (issue 17, item 4): ``?from=YYYY-MM&to=YYYY-MM``,
with presets (this quarter, this year, last year against the year before), compared
with the range of the same length just before (docs/decisions.md, "A range of months").

Each KPI rolls up over the range by its one rule, metrics/kpis/rollup.py (issue 18,
item 4; docs/rollups.md), the rule the KPI page's quarters and years and the series
API's ``granularity=quarter|year`` use: flows summed, levels at the end, rates
recomputed from their months' inputs (a quarter's churn = churned customers summed /
customers at its start), so a quarter shows one figure wherever it is read. The stored
months are read with their ``inputs``; a segment's come from its one computation
(metrics/dashboard/segment.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from metrics.date_window import OutsideWindow, check_month
from metrics.kpis.registry import Kpi
from metrics.kpis.rollup import MonthValue, roll_up
from metrics.models import KpiValue
from metrics.months import BadPeriod, Month, add_months, format_period, month_range, parse_period

MAX_MONTHS = 120


@dataclass(frozen=True)
class MonthSpan:
    first: Month
    last: Month
    preset: str = ""  # the preset's key when one was chosen

    @property
    def months(self) -> list[Month]:
        return month_range(self.first, self.last)

    @property
    def before(self) -> MonthSpan:
        """The range of the same length just before: last year for a year."""
        size = len(self.months)
        return MonthSpan(add_months(self.first, -size), add_months(self.first, -1))

    @property
    def query(self) -> str:
        return f"from={format_period(self.first)}&to={format_period(self.last)}"


def presets(*, today: date) -> list[tuple[str, str, MonthSpan]]:
    """(key, label, months) of the preset ranges, from the company's today."""
    this_month = date(today.year, today.month, 1)
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return [
        ("quarter", "This quarter", MonthSpan(quarter_start, this_month, "quarter")),
        ("year", "This year", MonthSpan(date(today.year, 1, 1), this_month, "year")),
        ("last-year", f"{today.year - 1} vs {today.year - 2}",
         MonthSpan(date(today.year - 1, 1, 1), date(today.year - 1, 12, 1), "last-year")),
    ]


def span_from(query, *, today: date) -> tuple[MonthSpan | None, str]:
    """The range ``?from=&to=`` asks for (or None without one) and what was wrong with it."""
    if not query.get("from") and not query.get("to"):
        return None, ""
    try:
        first = check_month(parse_period(query.get("from", ""), name="from"), name="from")
        last = check_month(parse_period(query.get("to", ""), name="to"), name="to")
    except (BadPeriod, OutsideWindow) as exc:
        return None, str(exc)
    if first > last:
        return None, "from must not be after to."
    if len(month_range(first, last)) > MAX_MONTHS:
        return None, f"A range covers at most {MAX_MONTHS} months."
    preset = next((key for key, _, span in presets(today=today) if (span.first, span.last) == (first, last)), "")
    return MonthSpan(first, last, preset), ""


def over(kpi: Kpi, months_of_kpi: dict[Month, MonthValue], span: MonthSpan) -> Decimal | None:
    """The KPI over the span's months that were stored or computed, by its rule."""
    return roll_up(kpi, [months_of_kpi[m] for m in span.months if m in months_of_kpi])


def stored_months(first: Month, last: Month) -> Callable[[str], dict[Month, MonthValue]]:
    """Every KPI's stored months from ``first`` to ``last`` (value and inputs) in one
    query, by KPI key. Every row, a month without a value too: a recomputed rate reads
    its inputs (kpis/selectors.rolled_series reads the same rows for the API's quarters)."""
    stored: dict[str, dict[Month, MonthValue]] = {}
    for key, month, value, inputs in KpiValue.objects.filter(month__gte=first, month__lte=last).values_list(
            "kpi", "month", "value", "inputs"):
        stored.setdefault(key, {})[month] = MonthValue(month, value, inputs or {})
    return lambda key: stored.get(key, {})


def range_values(kpis: list[Kpi], span: MonthSpan, *,
                 months: Callable[[str], dict[Month, MonthValue]] | None = None,
                 ) -> dict[str, tuple[Decimal | None, Decimal | None]]:
    """Per KPI key: (the range's value, the range before's), rolled up by rollup.py from
    the stored months, or from ``months`` (a KPI's months: a segment's,
    metrics/dashboard/segment.py)."""
    before = span.before
    months = months or stored_months(before.first, span.last)
    return {kpi.key: (over(kpi, months(kpi.key), span), over(kpi, months(kpi.key), before)) for kpi in kpis}
