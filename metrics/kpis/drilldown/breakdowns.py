"""The catalog's breakdowns, computed on request for one month (kpi-catalog.md,
"Breakdowns"): traffic KPIs by traffic channel; new customers, CAC and marketing spend
by acquisition channel; MRR, customers, ARPU and churn rate by customer segment,
country and subscription plan.

By plan, a customer on two plans counts under both, and a customer's churn counts
under the plans they had at the end of the previous month; MRR by plan adds up to MRR.
Rows without a value for the dimension are grouped under "(none)".
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import connection

from metrics.kpis.engine.figures import Scope, load_sql
from metrics.kpis.formulas import HUNDRED, TWELVE
from metrics.months import Month, add_months, end_of

NONE_GROUP = "(none)"


def breakdown(key: str, by: str, month: Month, *, currency: str, timezone: str) -> list[dict[str, Any]]:
    """[{group, value}] for a KPI and dimension the registry lists for it."""
    scope = Scope(add_months(month, -1), month, currency, timezone)
    if key in ("visits", "conversions", "visitor_conversion_rate"):
        rows = _traffic_by_channel(month)
        return [{"group": group, "value": _traffic_value(key, row)} for group, row in rows]
    if key in ("mrr", "customers", "arpu", "customer_churn_rate"):
        return [{"group": group, "value": _customer_value(key, row)}
                for group, row in _customers_by(by, scope)]
    spend = _spend_by_channel(scope)
    new = _new_customers_by_channel(scope)
    groups = sorted(set(spend) | set(new)) if key == "cac" else sorted(spend if key == "marketing_spend" else new)
    if key == "marketing_spend":
        return [{"group": group, "value": spend[group]["marketing"]} for group in groups]
    if key == "new_customers":
        return [{"group": group, "value": new[group]} for group in groups]
    rows = []
    for group in groups:
        cost = spend.get(group, {"marketing": Decimal(0), "sales": Decimal(0)})
        customers = new.get(group, 0)
        rows.append({"group": group, "value": (cost["marketing"] + cost["sales"]) / customers
                     if customers else None})
    return rows


def _fetch(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _traffic_by_channel(month: Month) -> list[tuple[str, tuple]]:
    rows = _fetch(
        "SELECT channel, sum(visits), sum(conversions), sum(visits) FILTER (WHERE conversions IS NOT NULL) "
        "FROM metrics_traffic WHERE date >= %(first)s AND date <= %(last)s GROUP BY channel ORDER BY channel",
        {"first": month, "last": end_of(month)})
    return [(channel or NONE_GROUP, row) for channel, *row in rows]


def _traffic_value(key: str, row: tuple) -> Decimal | int | None:
    visits, conversions, visits_with_conversions = row
    if key == "visits":
        return visits
    if key == "conversions":
        return conversions
    return Decimal(conversions) / visits_with_conversions * HUNDRED if visits_with_conversions else None


def _customers_by(by: str, scope: Scope) -> list[tuple[str, tuple]]:
    if by == "plan":
        group, source = "p.plan", "plan_states p JOIN movements m ON m.customer_id = p.customer_id"
    else:
        group, source = f"c.{by}", "movements m JOIN metrics_customer c ON c.customer_id = m.customer_id"
    now, prev = ("p.now12", "p.prev12") if by == "plan" else ("m.now12", "m.prev12")
    sql = load_sql("customer_states") + (
        f" SELECT {group}, sum({now}), count(*) FILTER (WHERE {now} > 0), "
        f"count(*) FILTER (WHERE {prev} > 0), count(*) FILTER (WHERE {prev} > 0 AND m.now12 = 0) "
        f"FROM {source} GROUP BY {group} ORDER BY {group}")
    return [(value or NONE_GROUP, row) for value, *row in _fetch(sql, scope.params())]


def _customer_value(key: str, row: tuple) -> Decimal | int | None:
    mrr12, customers, at_start, churned = row
    mrr = Decimal(mrr12) / TWELVE
    if key == "mrr":
        return mrr
    if key == "customers":
        return customers
    if key == "arpu":
        return mrr / customers if customers else None
    return Decimal(churned) / at_start * HUNDRED if at_start else None


def _spend_by_channel(scope: Scope) -> dict[str, dict[str, Decimal]]:
    sql = load_sql("expenses").split("converted AS")[0].rstrip().rstrip(",") + (
        ", channel_spend AS (SELECT e.channel, e.category, sum(e.amount * fx.rate) AS amount "
        "FROM metrics_expense e JOIN months mo ON e.date >= mo.month AND e.date < mo.month + interval '1 month' "
        "JOIN fx ON fx.currency = e.currency AND fx.mi = mo.mi "
        "WHERE mo.month = %(last)s AND e.category IN ('marketing', 'sales') GROUP BY 1, 2) "
        "SELECT channel, category, amount FROM channel_spend")
    spend: dict[str, dict[str, Decimal]] = {}
    for channel, category, amount in _fetch(sql, scope.params()):
        spend.setdefault(channel or NONE_GROUP, {"marketing": Decimal(0), "sales": Decimal(0)})[category] = amount
    return spend


def _new_customers_by_channel(scope: Scope) -> dict[str, int]:
    sql = load_sql("customer_states") + (
        " SELECT c.channel, count(*) FROM movements m JOIN metrics_customer c ON c.customer_id = m.customer_id "
        "WHERE m.movement = 'new' GROUP BY c.channel")
    return {channel or NONE_GROUP: count for channel, count in _fetch(sql, scope.params())}
