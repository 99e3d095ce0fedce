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

# Per table: what one row is called, and its dated columns (column, a datetime?,
# may be empty?).
TABLES: dict[str, tuple[str, str, tuple[tuple[str, bool, bool], ...]]] = {
    "subscription_rows": ("metrics_subscription", "subscription",
                          (("start_date", False, False), ("end_date", False, True))),
    "invoice_rows": ("metrics_invoice", "invoice", (("date", False, False),)),
    "expense_rows": ("metrics_expense", "expense", (("date", False, False),)),
    "traffic_rows": ("metrics_traffic", "traffic day", (("date", False, False),)),
    "lead_rows": ("metrics_lead", "lead", (("created_date", False, False), ("converted_date", False, True))),
    "metric_value_rows": ("metrics_metricvalue", "metric value", (("date", False, False),)),
    "ticket_rows": ("metrics_ticket", "ticket", (("opened_at", True, False), ("first_response_at", True, True),
                                                  ("resolved_at", True, True))),
    "survey_response_rows": ("metrics_survey_response", "imported survey response",
                             (("responded_at", True, False),)),
    "fx_rate_rows": ("metrics_fxrate", "exchange rate", (("month", False, False),)),
}


def _inside(column: str, instant: bool, optional: bool) -> str:
    inside = (f"{column} >= %(window_start)s AND {column} < %(window_end)s" if instant
              else f"{column} BETWEEN %(window_first)s AND %(window_last)s")
    return f"({column} IS NULL OR {inside})" if optional else f"({inside})"


def _outside(column: str, instant: bool) -> str:
    """The rows outside on one column, spelled so that the column's index serves it."""
    if instant:
        return f"({column} < %(window_start)s OR {column} >= %(window_end)s)"
    return f"({column} < %(window_first)s OR {column} > %(window_last)s)"


PIECES = {piece: f"(SELECT * FROM {table} WHERE {' AND '.join(_inside(*column) for column in columns)})"
          for piece, (table, _, columns) in TABLES.items()}


def params(timezone: str, window: tuple[date, date] | None = None) -> dict[str, Any]:
    first, last = window or date_window()
    zone = ZoneInfo(timezone)
    return {"window_first": first, "window_last": last,
            "window_start": datetime.combine(first, time(), tzinfo=zone),
            "window_end": datetime.combine(last + timedelta(days=1), time(), tzinfo=zone)}


def left_out(timezone: str) -> list[str]:
    """A warning per table with rows outside the window (the recompute's report)."""
    values = params(timezone)
    counts = ", ".join(f"(SELECT count(*) FROM {table} WHERE "
                       f"{' OR '.join(_outside(column, instant) for column, instant, _ in columns)})"
                       for table, _, columns in TABLES.values())
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}", values)
        found = cursor.fetchone()
    window = window_text((values["window_first"], values["window_last"]))
    return [f"{count:,} {label}{'s' if count > 1 else ''} dated outside the dates KPI Hub accepts ({window}; KPIHUB_DATE_WINDOW) "
            f"{'are' if count > 1 else 'is'} left out of the KPIs: correct or delete "
            f"{'them' if count > 1 else 'it'} on the Data page."
            for (_, label, _), count in zip(TABLES.values(), found) if count]
