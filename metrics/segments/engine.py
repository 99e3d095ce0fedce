"""A segment's KPI values, computed when asked: filters are arbitrary, so nothing is
stored per segment.

How: inside one transaction, TEMP VIEWs named like the tables the engine reads
(``metrics_customer``, ``metrics_subscription``, ``metrics_invoice``, ``metrics_ticket``)
restrict them to the filtered customers; PostgreSQL looks relations up in ``pg_temp``
first, so the engine's very statements (metrics/kpis/engine/) read the segment without
a line of theirs changed. ``figures.collect`` and ``evaluate`` run as in a recompute,
nothing is stored, and the transaction (or savepoint) is rolled back, taking the views
with it. Creating a view gives the transaction an id, so side_connections.py runs every
statement on this one connection (the views are per session): a segment is computed on
one core.

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

from django.db import connection, transaction
from psycopg import sql

from metrics.kpis.compute import SESSION_SETTINGS
from metrics.kpis.engine import figures
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
    present = figures.tables_with_rows()
    with segment_tables(customer_filter=customer_filter, currency=currency):
        scope = figures.Scope(add_months(first, -1), last, currency, timezone)
        month_figures, _ = figures.collect(scope, session=SESSION_SETTINGS, present=present,
                                           unfollowed={family: CANNOT_FOLLOW for family in UNFOLLOWED_FAMILIES})
    results = evaluate(month_figures, kpis, first_stored=first)
    custom = {kpi.key for kpi in kpis if kpi.metric_slug}
    return [Result(r.kpi, r.month, None, r.inputs, CANNOT_FOLLOW) if r.kpi in custom else r for r in results]


@contextmanager
def segment_tables(*, customer_filter: CustomerFilter, currency: str) -> Iterator[None]:
    """Inside: the customer tables read as the filter keeps them (a drill-down's
    statements too), from one snapshot; after: as they were, nothing written."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        with connection.cursor() as cursor:
            if outermost:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            for statement in SESSION_SETTINGS:
                cursor.execute(statement)
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
