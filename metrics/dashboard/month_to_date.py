"""The month under way compared like for like (issue 17, item 4): on day N, the
previous month's first N days, not its whole, so the 5th's revenue is not "-80 %".

The stored value of the month under way is already month to date (the engine computes
every month with data). What a like-for-like comparison needs is the previous month
cut off after the same number of days. For KPIs counted from dated rows (invoices,
expenses, traffic, leads: kpi-catalog.md's flow KPIs and the rates between them) the
engine's own family statements give it: run for the previous month alone with the
end of the series (``after_last``) moved to the cut-off, they aggregate exactly the
rows dated before it, set-based, and the catalog's formulas turn those figures into
values. How each KPI is compared (docs/decisions.md, "Month to date"):

* ``LIKE_FOR_LIKE``: against the previous month's first N days, computed here;
* ``STOCK`` (a level at a moment: MRR, customers, cash): against the previous month's
  end, the last value there is; "since the end of last month" reads right at any day;
* everything else (subscription movements and the rates over them, tickets, surveys,
  growth rates): against the whole previous month, said so on the card, as their
  figures come from subscription states or timestamps the cut-off does not reach.

However it is compared, a partial month's change is never coloured good or bad.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from metrics.kpis.engine.figures import FAMILY_TABLES, Scope, statement, tables_with_rows
from metrics.kpis.engine.side_connections import run_all
from metrics.kpis.formulas import Missing, MonthFigures, Unavailable
from metrics.kpis.registry import Kpi
from metrics.months import Month, add_months

# The families whose rows carry a date the statements bound with ``after_last``.
DATED_FAMILIES = ("invoices", "expenses", "traffic", "leads")
LIKE_FOR_LIKE = frozenset({
    "revenue", "orders", "aov", "marketing_spend", "sales_spend", "cogs", "total_expenses", "gross_margin",
    "net_burn", "visits", "unique_visitors", "pageviews", "conversions", "bounce_rate",
    "visitor_conversion_rate", "leads", "qualified_leads", "lead_conversion_rate",
})
STOCK = frozenset({"mrr", "arr", "customers", "committed_mrr", "arpu", "cash", "active_users"})

LIKE_FOR_LIKE_KIND, STOCK_KIND, WHOLE_MONTH_KIND = "like_for_like", "month_end", "whole_month"


def comparison_kind(kpi: Kpi) -> str:
    if kpi.key in LIKE_FOR_LIKE:
        return LIKE_FOR_LIKE_KIND
    if kpi.key in STOCK:
        return STOCK_KIND
    return WHOLE_MONTH_KIND


def cut_off(month: Month, *, day: int) -> tuple[Month, date]:
    """The previous month and the first day after its first ``day`` days (its whole
    when it is shorter: day 31 of March against all of February)."""
    previous = add_months(month, -1)
    return previous, min(previous + timedelta(days=day), month)


def previous_to_date(kpis: list[Kpi], *, month: Month, day: int, currency: str, timezone: str,
                     present: set[str] | None = None,
                     unfollowed: Mapping[str, str] | None = None) -> dict[str, Decimal | None]:
    """The LIKE_FOR_LIKE KPIs of the month before ``month`` over its first ``day`` days,
    by key (None when a KPI has no value then, e.g. no visits to divide by). One
    statement per dated family, each over the previous month only. For a segment
    (metrics/dashboard/segment.py): ``present``, the company's tables with rows, read
    before the segment's views hid them; ``unfollowed``, families not run, their
    figures missing for the reason given (never the company's)."""
    wanted = [kpi for kpi in kpis if kpi.key in LIKE_FOR_LIKE]
    if not wanted:
        return {}
    unfollowed = unfollowed or {}
    previous, end = cut_off(month, day=day)
    params = {**Scope(previous, previous, currency, timezone).params(), "after_last": end}
    followed = [family for family in DATED_FAMILIES if family not in unfollowed]
    rows = run_all([statement(family, params) for family in followed])
    present = tables_with_rows() if present is None else present
    values: dict[str, Any] = {}
    for family in followed:
        table, reason = FAMILY_TABLES[family]
        row = dict(rows[family][0]) if rows[family] else {}
        row.pop("month", None)
        row.pop("unconverted_rows", None)
        values.update({name: Missing(reason) for name in row} if table not in present else row)
    figures = MonthFigures(previous, values)
    result: dict[str, Decimal | None] = {}
    for kpi in wanted:  # registry order: a KPI may read one computed before it
        try:
            value = kpi.formula(figures)
        except (Unavailable, KeyError):
            figures[kpi.key] = Missing("not available to date")
            result[kpi.key] = None
            continue
        figures[kpi.key] = value
        result[kpi.key] = Decimal(value)
    return result
