"""The records behind a KPI value (``/api/v1/kpis/{key}/records/?movement=``): which
customers are new, churned, expanded ...; which invoices, expenses, tickets, leads,
traffic days, answers or metric values the month's value came from.

Each movement is one SQL statement; ``RecordSet`` counts and slices it with LIMIT /
OFFSET so the API's paginator never loads a whole month of invoices.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from metrics.kpis.engine.figures import Scope, invitations_sql, load_sql, scored_answers_sql
from metrics.months import Month, add_months, end_of

CUSTOMER_COLUMNS = ("SELECT m.customer_id, c.name, c.segment, c.country, c.channel, m.movement, "
                    "round(m.prev12 / 12, 4) AS previous_mrr, round(m.now12 / 12, 4) AS mrr, "
                    "round((m.now12 - m.prev12) / 12, 4) AS change "
                    "FROM movements m LEFT JOIN metrics_customer c ON c.customer_id = m.customer_id ")
CUSTOMER_MOVEMENTS = {
    "active": "m.now12 > 0",
    "moved": "m.movement IN ('new', 'reactivation', 'expansion', 'contraction', 'churn')",
    "retained": "m.now12 > 0 AND m.prev12 > 0",
    **{name: f"m.movement = '{name}'" for name in ("new", "reactivation", "expansion", "contraction", "churn")},
}
MONTH_DATES = "BETWEEN %(first_day)s AND %(last_day)s"
IN_MONTH_TZ = "(({column}) AT TIME ZONE %(tz)s)::date " + MONTH_DATES
SUBSCRIPTION_COLUMNS = ("SELECT subscription_id, customer_id, plan, amount, currency, interval, quantity, "
                        "start_date, end_date FROM metrics_subscription ")
INVOICE_COLUMNS = "SELECT invoice_id, customer_id, date, amount, currency, status FROM metrics_invoice "
EXPENSE_COLUMNS = ("SELECT expense_id, date, category, amount, currency, channel, description "
                   "FROM metrics_expense ")
LEAD_COLUMNS = "SELECT lead_id, created_date, channel, qualified, converted_date, customer_id FROM metrics_lead "
TICKET_COLUMNS = ("SELECT ticket_id, customer_id, opened_at, first_response_at, resolved_at, channel, "
                  "priority FROM metrics_ticket ")
EXPENSE_CATEGORIES = {"marketing": "('marketing')", "sales": "('sales')", "cogs": "('cogs')",
                      "acquisition_spend": "('marketing', 'sales')"}


def movement_sql(movement: str, *, metric_slug: str = "", has_subscriptions: bool = True) -> str:
    """The statement listing one movement's records, ordered for stable pages."""
    if movement == "new" and not has_subscriptions:
        return ("SELECT i.customer_id, min(i.date) AS first_paid_invoice FROM metrics_invoice i "
                "WHERE i.status = 'paid' AND i.amount > 0 AND i.customer_id IS NOT NULL GROUP BY i.customer_id "
                f"HAVING min(i.date) {MONTH_DATES} ORDER BY 1")
    if movement in CUSTOMER_MOVEMENTS:
        return (load_sql("customer_states") + CUSTOMER_COLUMNS
                + f"WHERE {CUSTOMER_MOVEMENTS[movement]} ORDER BY m.customer_id")
    if movement == "started":
        return SUBSCRIPTION_COLUMNS + f"WHERE start_date {MONTH_DATES} ORDER BY subscription_id"
    if movement == "scheduled_start":
        return SUBSCRIPTION_COLUMNS + "WHERE start_date > %(last_day)s ORDER BY subscription_id"
    if movement == "scheduled_end":
        return (SUBSCRIPTION_COLUMNS + "WHERE amount > 0 AND start_date <= %(last_day)s "
                "AND end_date > %(last_day)s ORDER BY subscription_id")
    if movement in ("paid", "orders"):
        positive = " AND amount > 0" if movement == "orders" else ""
        return INVOICE_COLUMNS + f"WHERE status = 'paid'{positive} AND date {MONTH_DATES} ORDER BY date, invoice_id"
    if movement in EXPENSE_CATEGORIES or movement == "expenses":
        category = f" AND category IN {EXPENSE_CATEGORIES[movement]}" if movement != "expenses" else ""
        return EXPENSE_COLUMNS + f"WHERE date {MONTH_DATES}{category} ORDER BY date, id"
    if movement == "traffic":
        return ("SELECT date, channel, visits, unique_visitors, pageviews, bounces, conversions "
                f"FROM metrics_traffic WHERE date {MONTH_DATES} ORDER BY date, channel")
    if movement in ("leads", "qualified", "converted"):
        extra = {"leads": "", "qualified": " AND qualified", "converted": " AND converted_date IS NOT NULL"}[movement]
        return LEAD_COLUMNS + f"WHERE created_date {MONTH_DATES}{extra} ORDER BY created_date, lead_id"
    if movement in ("opened", "answered", "resolved"):
        column = {"opened": "opened_at", "answered": "first_response_at", "resolved": "resolved_at"}[movement]
        return TICKET_COLUMNS + f"WHERE {IN_MONTH_TZ.format(column=column)} ORDER BY {column}, ticket_id"
    if movement in ("nps_responses", "csat_responses"):
        answers, _ = scored_answers_sql()
        return (f"SELECT survey_type, score, responded_at FROM ({answers}) AS a "
                f"WHERE survey_type = %(survey_type)s AND {IN_MONTH_TZ.format(column='responded_at')} "
                "ORDER BY responded_at")
    if movement == "invitations":
        invitations, _ = invitations_sql()
        return (f"SELECT survey_type, sent_at, responded FROM ({invitations}) AS i "
                f"WHERE {IN_MONTH_TZ.format(column='sent_at')} ORDER BY sent_at")
    if movement in ("values", "cash_balance", "inventory_value"):
        return f"SELECT metric, date, value FROM metrics_metricvalue WHERE metric = %(slug)s AND date {MONTH_DATES} ORDER BY date"
    raise ValueError(f"unknown movement {movement!r}")


class RecordSet:
    """A lazily sliced query result: ``count()`` and ``[start:stop]`` run SQL, so
    Django's and DRF's paginators can page through it."""

    def __init__(self, sql: str, params: dict[str, Any]):
        self.sql, self.params = sql, params
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT count(*) FROM ({self.sql}) AS records", self.params)
                self._count = cursor.fetchone()[0]
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        start, stop = window.start or 0, window.stop
        limit = "ALL" if stop is None else str(max(stop - start, 0))
        with connection.cursor() as cursor:
            cursor.execute(f"{self.sql} LIMIT {limit} OFFSET {int(start)}", self.params)
            columns = [column.name for column in cursor.description]
            return [dict(zip(columns, row)) for row in cursor.fetchall()]


def records(movement: str, month: Month, *, currency: str, timezone: str, metric_slug: str = "",
            has_subscriptions: bool = True) -> RecordSet:
    scope = Scope(add_months(month, -1), month, currency, timezone)
    _, answer_params = scored_answers_sql()
    _, invitation_params = invitations_sql()
    params = {**scope.params(), **answer_params, **invitation_params,
              "first_day": month, "last_day": end_of(month),
              "slug": metric_slug if movement == "values" else movement,
              "survey_type": movement.removesuffix("_responses")}
    return RecordSet(movement_sql(movement, metric_slug=metric_slug, has_subscriptions=has_subscriptions), params)
