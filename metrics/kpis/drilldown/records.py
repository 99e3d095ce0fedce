"""The records behind a KPI value (``/api/v1/kpis/{key}/records/?movement=``): which
customers are new, churned, expanded ...; which invoices, expenses, tickets, leads,
traffic days, answers or metric values the month's value came from.

One declaration per movement (``MOVEMENTS``): its label and the statement of
``sql/records_*.sql`` listing its records of a month, with the parameters it fixes.
``RecordSet`` counts and slices a statement with LIMIT / OFFSET so the API's paginator
never loads a whole month of invoices.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from metrics.kpis.drilldown.statements import DRILLDOWN_SQL
from metrics.kpis.engine.figures import Scope
from metrics.months import Month, add_months, end_of


@dataclass(frozen=True)
class Movement:
    """A drill-down list (``?movement=``): its label on the KPI page, the statement
    listing its records (``sql/{statement}.sql``) and the parameters it fixes."""

    name: str
    label: str
    statement: str
    params: Mapping[str, Any] = field(default_factory=dict)
    # The statement for a tenant without subscriptions, where it differs.
    without_subscriptions: str = ""


def customers(name: str, label: str, *movements: str, **kwargs: Any) -> Movement:
    """Customers in the movements of customer_states.sql (new, reactivation, expansion,
    contraction, churn, retained)."""
    return Movement(name, label, "records_customers", {"movements": list(movements)}, **kwargs)


def expenses(name: str, label: str, *categories: str) -> Movement:
    return Movement(name, label, "records_expenses_in_categories", {"categories": list(categories)})


PAYING = ("new", "reactivation", "expansion", "contraction", "retained")
MOVEMENTS: dict[str, Movement] = {movement.name: movement for movement in (
    customers("active", "Paying customers", *PAYING),
    customers("moved", "Every MRR movement", "new", "reactivation", "expansion", "contraction", "churn"),
    customers("retained", "Retained customers", "expansion", "contraction", "retained"),
    customers("new", "New customers", "new", without_subscriptions="records_first_paid_invoices"),
    customers("reactivation", "Reactivated", "reactivation"),
    customers("expansion", "Expanded", "expansion"),
    customers("contraction", "Contracted", "contraction"),
    customers("churn", "Churned", "churn"),
    Movement("started", "Subscriptions started", "records_subscriptions_started"),
    Movement("scheduled_start", "Starting later", "records_subscriptions_starting_later"),
    Movement("scheduled_end", "With an end date", "records_subscriptions_ending"),
    Movement("paid", "Paid invoices", "records_paid_invoices"),
    Movement("orders", "Orders", "records_orders"),
    expenses("marketing", "Marketing spend", "marketing"),
    expenses("sales", "Sales spend", "sales"),
    expenses("cogs", "Cost of goods sold", "cogs"),
    expenses("acquisition_spend", "Marketing and sales spend", "marketing", "sales"),
    Movement("expenses", "Expenses", "records_expenses"),
    Movement("traffic", "Traffic days", "records_traffic"),
    Movement("leads", "Leads", "records_leads"),
    Movement("qualified", "Qualified leads", "records_qualified_leads"),
    Movement("converted", "Converted leads", "records_converted_leads"),
    Movement("opened", "Tickets opened", "records_tickets_opened"),
    Movement("answered", "Tickets answered", "records_tickets_answered"),
    Movement("resolved", "Tickets resolved", "records_tickets_resolved"),
    Movement("nps_responses", "NPS answers", "records_answers", {"survey_type": "nps"}),
    Movement("csat_responses", "CSAT answers", "records_answers", {"survey_type": "csat"}),
    Movement("invitations", "Survey invitations", "records_invitations"),
    # The KPI's own metric slug (custom metrics, active_users), or a reserved one.
    Movement("values", "Values", "records_metric_values"),
    Movement("cash_balance", "Cash balance", "records_metric_values", {"slug": "cash_balance"}),
    Movement("inventory_value", "Inventory value", "records_metric_values", {"slug": "inventory_value"}),
)}


def label(movement: str) -> str:
    declared = MOVEMENTS.get(movement)
    return declared.label if declared else movement


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
    declared = MOVEMENTS.get(movement)
    if declared is None:
        raise ValueError(f"unknown movement {movement!r}")
    statement = declared.statement
    if not has_subscriptions and declared.without_subscriptions:
        statement = declared.without_subscriptions
    params = {**Scope(add_months(month, -1), month, currency, timezone).params(),
              "first_day": month, "last_day": end_of(month), "slug": metric_slug, **declared.params}
    return RecordSet(DRILLDOWN_SQL.load(statement), params)
