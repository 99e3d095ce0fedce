"""A custom range of months on the dashboard (issue 17, item 4): ``?from=YYYY-MM&to=YYYY-MM``,
with presets (this quarter, this year, last year against the year before). Each KPI is
summed up from its stored monthly values by its kind, and compared with the range of
the same length just before (docs/decisions.md, "A range of months"):

* ``SUM``, flows (kpi-catalog.md's amounts and counts "in M": revenue, new MRR, orders,
  expenses, visits, leads, tickets ...): the months' sum;
* ``END``, levels at a moment (MRR, ARR, customers, cash, active users, committed MRR,
  ARPU, LTV, runway) and custom metrics (summarised by their last value by default): the
  range's last month with a value;
* ``MEAN``, rates, averages and scores (churn and conversion rates, NPS, CSAT, AOV, CAC,
  hours): the mean of the months' values, labelled "monthly average" on the card: a
  rate of the range as a whole would need the figures re-aggregated, which the stored
  values do not keep.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from metrics.date_window import OutsideWindow, check_month
from metrics.kpis.registry import Kpi, Unit
from metrics.models import KpiValue
from metrics.months import BadPeriod, Month, add_months, format_period, month_range, parse_period

SUM, END, MEAN = "sum", "end", "mean"
END_VALUES = frozenset({"mrr", "arr", "customers", "committed_mrr", "arpu", "ltv", "cash", "active_users",
                        "runway_months"})
AVERAGED_AMOUNTS = frozenset({"aov", "cac", "acv"})  # money per something: averaged, not summed
MAX_MONTHS = 120


def kind_of(kpi: Kpi) -> str:
    if kpi.key in END_VALUES or kpi.is_custom:
        return END
    if kpi.unit in (Unit.MONEY, Unit.COUNT) and kpi.key not in AVERAGED_AMOUNTS:
        return SUM
    return MEAN


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


def summarise(kpi: Kpi, values: dict[Month, Decimal], months: list[Month]) -> Decimal | None:
    present = [(m, values[m]) for m in months if values.get(m) is not None]
    if not present:
        return None
    kind = kind_of(kpi)
    if kind == END:
        return present[-1][1]
    total = sum((v for _, v in present), Decimal(0))
    return total if kind == SUM else total / len(present)


def range_values(kpis: list[Kpi], span: MonthSpan, *, values: Callable[[str], dict[Month, Decimal]] | None = None,
                 ) -> dict[str, tuple[Decimal | None, Decimal | None]]:
    """Per KPI key: (the range's value, the range before's), from the stored values in
    one query, or from ``values`` (a KPI's months with a value: a segment's,
    metrics/dashboard/segment.py), summed up by the same rules."""
    before = span.before
    if values is not None:
        return {kpi.key: (summarise(kpi, values(kpi.key), span.months), summarise(kpi, values(kpi.key), before.months))
                for kpi in kpis}
    stored: dict[str, dict[Month, Decimal]] = {}
    for key, month, value in KpiValue.objects.filter(
            month__gte=before.first, month__lte=span.last, value__isnull=False).values_list("kpi", "month", "value"):
        stored.setdefault(key, {})[month] = value
    return {kpi.key: (summarise(kpi, stored.get(kpi.key, {}), span.months),
                      summarise(kpi, stored.get(kpi.key, {}), before.months))
            for kpi in kpis}
