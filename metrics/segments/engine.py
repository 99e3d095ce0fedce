"""A segment's KPI values, computed when asked: filters are arbitrary, so nothing is
stored per segment.

How, for the figures (``segment_results``): the segment's customers are found once (one
query, their ids), then the engine's very statements (metrics/kpis/engine/) run with
the pieces through which they read subscriptions, invoices and tickets
(``/*subscription_rows*/`` ... statements.py) narrowed to those customers, the ids and
the filter's values passed as parameters. Nothing is written, so the statements run
side by side on the recompute's connections (side_connections.py), from one snapshot.

For everything else that reads the customer tables (drill-downs, breakdowns, cohorts,
the dashboard's month to date): ``segment_tables``. Inside one transaction, TEMP VIEWs
named like the tables (``metrics_customer``, ``metrics_subscription``,
``metrics_invoice``, ``metrics_ticket``) restrict them to the filtered customers;
PostgreSQL looks relations up in ``pg_temp`` first, so those statements read the segment
without a line of theirs changed, and the transaction (or savepoint) is rolled back,
taking the views with it. Creating a view gives the transaction an id, so statements run
under the views stay on that one connection.

What a filter keeps: the customers whose own attributes match (channel, country,
segment, extra columns, first paid month), and of a subscription attribute (plan,
currency, interval) the subscriptions that match and the customers having one; the
invoices and tickets of the kept customers. Families without customers (traffic,
expenses, leads, surveys, metric values and custom metrics) cannot follow: their KPIs
are null with CANNOT_FOLLOW.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction
from psycopg import sql

from metrics.kpis.compute import SESSION_SETTINGS
from metrics.kpis.engine import figures, in_window, side_connections
from metrics.kpis.engine.statements import ENGINE_SQL, SqlFiles
from metrics.kpis.evaluate import Result, evaluate
from metrics.kpis.registry import Kpi
from metrics.months import Month, add_months
from metrics.segments.filters import CUSTOMER_COLUMNS, SUBSCRIPTION_COLUMNS, CustomerFilter

CANNOT_FOLLOW = "cannot follow a customer filter"
UNFOLLOWED_FAMILIES = ("traffic", "expenses", "leads", "surveys", "metric_values")


def segment_results(*, customer_filter: CustomerFilter, kpis: list[Kpi], first: Month, last: Month,
                    currency: str, timezone: str) -> list[Result]:
    """Every KPI's values for the months ``first`` .. ``last`` over the customers the
    filter keeps (``first``: the first month with data, as the stored values start)."""
    # Which tables have rows is the company's: a segment without subscriptions has an
    # MRR of 0, not "no subscriptions imported".
    with side_connections.one_snapshot(session=SESSION_SETTINGS, read_only=True):
        present = figures.tables_with_rows()
        statements, params = segment_statements(customer_filter, currency)
        scope = figures.Scope(add_months(first, -1), last, currency, timezone)
        month_figures, _ = figures.collect(scope, session=SESSION_SETTINGS, present=present, sql=statements,
                                           extra_params=params,
                                           unfollowed={family: CANNOT_FOLLOW for family in UNFOLLOWED_FAMILIES})
    results = evaluate(month_figures, kpis, first_stored=first)
    custom = {kpi.key for kpi in kpis if kpi.metric_slug}
    return [Result(r.kpi, r.month, None, r.inputs, CANNOT_FOLLOW) if r.kpi in custom else r for r in results]


def segment_statements(customer_filter: CustomerFilter, currency: str) -> tuple[SqlFiles, dict[str, Any]]:
    """The engine's statements reading the segment's rows, and the parameters they take:
    subscriptions of the segment's customers that the filter's subscription conditions
    keep, their invoices and tickets (dates inside the window, as in_window's pieces).
    The filter's values go as parameters; the customers are chosen by a subquery each
    statement runs (a scan of the customers), except by first paid month, which is
    worked out once here and passed as the ids it keeps."""
    params: dict[str, Any] = {"segment_currency": currency}
    customer_conditions, subscription_conditions = [], []
    for number, condition in enumerate(customer_filter.conditions):
        values = f"%(segment_values_{number})s::text[]"
        params[f"segment_values_{number}"] = list(condition.values)
        if condition.attribute in SUBSCRIPTION_COLUMNS:
            column = ("coalesce(nullif(s.currency, ''), %(segment_currency)s)" if condition.attribute == "currency"
                      else f"s.{condition.attribute}")
            subscription_conditions.append(f"{column}::text = ANY({values})")
        elif condition.attribute in CUSTOMER_COLUMNS:
            customer_conditions.append(f"c.{condition.attribute}::text = ANY({values})")
        elif condition.attribute == "first_paid_month":
            params["segment_first_paid"] = first_paid_in(condition.values)
            customer_conditions.append("c.customer_id = ANY(%(segment_first_paid)s::text[])")
        else:  # an extra column of a customers import (Customer.attributes)
            params[f"segment_attribute_{number}"] = condition.attribute
            customer_conditions.append(f"(c.attributes ->> %(segment_attribute_{number})s) = ANY({values})")
    subscriptions_kept = " AND ".join(subscription_conditions) or "TRUE"
    if subscription_conditions:
        customer_conditions.append("EXISTS (SELECT 1 FROM metrics_subscription s "
                                   f"WHERE s.customer_id = c.customer_id AND {subscriptions_kept})")
    kept = ("customer_id IN (SELECT c.customer_id FROM metrics_customer c WHERE "
            f"{' AND '.join(customer_conditions) or 'TRUE'})")
    pieces = {piece: f"(SELECT * FROM {in_window.PIECES[piece]} AS in_window WHERE {kept})"
              for piece in ("invoice_rows", "ticket_rows")}
    pieces["subscription_rows"] = (f"(SELECT * FROM {in_window.PIECES['subscription_rows']} AS s "
                                   f"WHERE {kept} AND {subscriptions_kept})")
    return ENGINE_SQL.with_sources(**pieces), params


def first_paid_in(months: tuple[str, ...]) -> list[str]:
    """The ids of the customers whose first payment (a paying subscription's start or a
    paid invoice, whichever is first) falls in one of ``months`` (YYYY-MM)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT customer_id FROM (SELECT customer_id, min(start_date) AS first FROM metrics_subscription "
            "WHERE amount > 0 GROUP BY customer_id UNION ALL SELECT customer_id, min(date) FROM metrics_invoice "
            "WHERE status = 'paid' AND amount > 0 GROUP BY customer_id) AS payments "
            "GROUP BY customer_id HAVING to_char(min(first), 'YYYY-MM') = ANY(%s::text[])", [list(months)])
        return [row[0] for row in cursor.fetchall()]


@contextmanager
def segment_tables(*, customer_filter: CustomerFilter, currency: str) -> Iterator[None]:
    """Inside: the customer tables read as the filter keeps them (a drill-down's
    statements too), from one snapshot; after: as they were, nothing written."""
    with side_connections.one_snapshot(session=SESSION_SETTINGS):
        _create_views(customer_filter, currency)
        try:
            yield
        finally:
            transaction.set_rollback(True)


def _create_views(customer_filter: CustomerFilter, currency: str) -> None:
    schema = sql.Identifier(connection.schema_name)
    subscription_where = _subscription_conditions(customer_filter, currency)
    customer_where = _customer_conditions(customer_filter, schema)
    if customer_filter.on(*SUBSCRIPTION_COLUMNS):
        customer_where = sql.SQL("{} AND EXISTS (SELECT 1 FROM {}.metrics_subscription s "
                                 "WHERE s.customer_id = c.customer_id AND {})").format(
            customer_where, schema, subscription_where)
    statements = [
        sql.SQL("CREATE TEMP VIEW metrics_customer AS SELECT c.* FROM {}.metrics_customer c WHERE {}").format(
            schema, customer_where),
        sql.SQL("CREATE TEMP VIEW metrics_subscription AS SELECT s.* FROM {}.metrics_subscription s "
                "WHERE {} AND s.customer_id IN (SELECT customer_id FROM pg_temp.metrics_customer)").format(
            schema, subscription_where),
        sql.SQL("CREATE TEMP VIEW metrics_invoice AS SELECT i.* FROM {}.metrics_invoice i "
                "WHERE i.customer_id IN (SELECT customer_id FROM pg_temp.metrics_customer)").format(schema),
        sql.SQL("CREATE TEMP VIEW metrics_ticket AS SELECT t.* FROM {}.metrics_ticket t "
                "WHERE t.customer_id IN (SELECT customer_id FROM pg_temp.metrics_customer)").format(schema),
    ]
    # A view's text cannot take parameters: the values are quoted in as literals.
    with connection.connection.cursor() as raw:
        for statement in statements:
            raw.execute(statement)


def _subscription_conditions(customer_filter: CustomerFilter, currency: str) -> sql.Composable:
    parts = []
    for condition in customer_filter.on(*SUBSCRIPTION_COLUMNS):
        # An empty currency is the reporting currency (the import's rule).
        column = (sql.SQL("coalesce(nullif(s.currency, ''), {})").format(sql.Literal(currency))
                  if condition.attribute == "currency"
                  else sql.SQL("s.{}").format(sql.Identifier(condition.attribute)))
        parts.append(sql.SQL("{}::text = ANY({}::text[])").format(column, sql.Literal(list(condition.values))))
    return sql.SQL(" AND ").join(parts) if parts else sql.SQL("TRUE")


def _customer_conditions(customer_filter: CustomerFilter, schema: sql.Identifier) -> sql.Composable:
    parts = [sql.SQL("TRUE")]
    for condition in customer_filter.conditions:
        if condition.attribute in CUSTOMER_COLUMNS:
            column: sql.Composable = sql.SQL("c.{}").format(sql.Identifier(condition.attribute))
        elif condition.attribute == "first_paid_month":
            column = sql.SQL(
                "to_char(least((SELECT min(s.start_date) FROM {schema}.metrics_subscription s "
                "WHERE s.customer_id = c.customer_id AND s.amount > 0), "
                "(SELECT min(i.date) FROM {schema}.metrics_invoice i WHERE i.customer_id = c.customer_id "
                "AND i.status = 'paid' AND i.amount > 0)), 'YYYY-MM')").format(schema=schema)
        elif condition in customer_filter.extra:
            column = sql.SQL("(c.attributes ->> {})").format(sql.Literal(condition.attribute))
        else:
            continue  # a subscription attribute: _subscription_conditions
        parts.append(sql.SQL("{} = ANY({}::text[])").format(column, sql.Literal(list(condition.values))))
    return sql.SQL(" AND ").join(parts)
