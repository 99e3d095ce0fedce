"""Visitor conversion rate per traffic channel and month, for the dashboard's
"conversion by channel" chart: one GROUP BY over the traffic days of the window
(kpi-catalog.md, visitor_conversion_rate: conversions / visits x 100, counting only
the days that report conversions)."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection

from metrics.months import Month, end_of

NONE_GROUP = "(none)"


def conversion_by_channel(first: Month, last: Month) -> dict[str, dict[Month, Decimal | None]]:
    """{channel: {month: rate}}, channels ordered by their visits in the window."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(channel, %(none)s), date_trunc('month', date)::date, "
            "100.0 * sum(conversions) / nullif(sum(visits) FILTER (WHERE conversions IS NOT NULL), 0), "
            "sum(sum(visits)) OVER (PARTITION BY coalesce(channel, %(none)s)) AS channel_visits "
            "FROM metrics_traffic WHERE date BETWEEN %(first)s AND %(last)s "
            "GROUP BY 1, 2 ORDER BY channel_visits DESC, 1, 2",
            {"first": first, "last": end_of(last), "none": NONE_GROUP})
        rows = cursor.fetchall()
    rates: dict[str, dict[Month, Decimal | None]] = {}
    for channel, month, rate, _ in rows:
        rates.setdefault(channel, {})[month] = rate
    return rates
