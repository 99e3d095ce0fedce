"""Visitor conversion rate per traffic channel and month, for the dashboard's
"conversion by channel" chart: one GROUP BY over the traffic days of the window
(kpi-catalog.md, visitor_conversion_rate: conversions / visits x 100, counting only
the days that report conversions)."""

from __future__ import annotations

from decimal import Decimal

from metrics.kpis.drilldown.breakdowns import NONE_GROUP
from metrics.kpis.drilldown.statements import fetch
from metrics.months import Month, end_of


def conversion_by_channel(first: Month, last: Month) -> dict[str, dict[Month, Decimal | None]]:
    """{channel: {month: rate}}, channels ordered by their visits in the window."""
    rows = fetch("conversion_by_channel", {"first_day": first, "last_day": end_of(last), "none": NONE_GROUP})
    rates: dict[str, dict[Month, Decimal | None]] = {}
    for channel, month, rate, _ in rows:
        rates.setdefault(channel, {})[month] = rate
    return rates
