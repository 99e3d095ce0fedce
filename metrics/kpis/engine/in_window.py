"""The rows the engine reads: those whose dates are inside the date window
(metrics/date_window.py). One stored date outside it (0001-01-01, 9999-12-31, a 1900
typo, written before imports refused them or straight into the database) would
otherwise stretch every tenant's months over centuries and fail the recompute: such a
row is left out, and the recompute reports how many each table had (issue 16).

Each table is read through its piece, ``/*invoice_rows*/`` and so on in sql/ (see
statements.py), with the window as parameters (``params``)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection

from metrics.date_window import date_window, window_text

DAY = "{column} BETWEEN %(window_first)s AND %(window_last)s"
INSTANT = "{column} >= %(window_start)s AND {column} < %(window_end)s"


def _optional(condition: str, column: str) -> str:
    return f"({column} IS NULL OR {condition.format(column=column)})"


# piece -> (table, what its rows are called, condition on a row)
TABLES: dict[str, tuple[str, str, str]] = {
    "subscription_rows": ("metrics_subscription", "subscriptions",
                          f"{DAY.format(column='start_date')} AND {_optional(DAY, 'end_date')}"),
    "invoice_rows": ("metrics_invoice", "invoices", DAY.format(column="date")),
    "expense_rows": ("metrics_expense", "expenses", DAY.format(column="date")),
    "traffic_rows": ("metrics_traffic", "traffic days", DAY.format(column="date")),
    "lead_rows": ("metrics_lead", "leads",
                  f"{DAY.format(column='created_date')} AND {_optional(DAY, 'converted_date')}"),
    "metric_value_rows": ("metrics_metricvalue", "metric values", DAY.format(column="date")),
    "ticket_rows": ("metrics_ticket", "tickets",
                    f"{INSTANT.format(column='opened_at')} AND {_optional(INSTANT, 'first_response_at')} "
                    f"AND {_optional(INSTANT, 'resolved_at')}"),
    "survey_response_rows": ("metrics_survey_response", "imported survey responses",
                             INSTANT.format(column="responded_at")),
    "fx_rate_rows": ("metrics_fxrate", "exchange rates", DAY.format(column="month")),
}

PIECES = {piece: f"(SELECT * FROM {table} WHERE {condition})" for piece, (table, _, condition) in TABLES.items()}


def params(timezone: str, window: tuple[date, date] | None = None) -> dict[str, Any]:
    first, last = window or date_window()
    zone = ZoneInfo(timezone)
    return {"window_first": first, "window_last": last,
            "window_start": datetime.combine(first, time(), tzinfo=zone),
            "window_end": datetime.combine(last + timedelta(days=1), time(), tzinfo=zone)}


def left_out(timezone: str) -> list[str]:
    """A warning per table with rows outside the window (the recompute's report)."""
    values = params(timezone)
    counts = ", ".join(f"(SELECT count(*) FROM {table} WHERE NOT ({condition}))"
                       for table, _, condition in TABLES.values())
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}", values)
        found = cursor.fetchone()
    window = window_text((values["window_first"], values["window_last"]))
    return [f"{count:,} {label} dated outside the dates KPI Hub accepts ({window}; KPIHUB_DATE_WINDOW) "
            f"{'are' if count > 1 else 'is'} left out of the KPIs: correct or delete "
            f"{'them' if count > 1 else 'it'} on the Data page."
            for (_, label, _), count in zip(TABLES.values(), found) if count]
