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

from collections.abc import Callable, Iterator
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
    statement runs (a scan of the customers)."""
    params: dict[str, Any] = {}

    def placeholder(name: str, value: Any) -> sql.Composable:
        params[name] = value
        return sql.Placeholder(name)

    customers, subscriptions = (part.as_string(connection.connection)
                                for part in _conditions(customer_filter, currency, placeholder))
    schema = connection.schema_name
    kept = f'customer_id IN (SELECT c.customer_id FROM "{schema}".metrics_customer c WHERE {customers})'
    pieces = {piece: f"(SELECT * FROM {in_window.PIECES[piece]} AS in_window WHERE {kept})"
              for piece in ("invoice_rows", "ticket_rows")}
    pieces["subscription_rows"] = (f"(SELECT * FROM {in_window.PIECES['subscription_rows']} AS s "
                                   f"WHERE {kept} AND {subscriptions})")
    return ENGINE_SQL.with_sources(**pieces), params


def _conditions(customer_filter: CustomerFilter, currency: str,
                bind: Callable[[str, Any], sql.Composable]) -> tuple[sql.Composable, sql.Composable]:
    """The filter's rules in SQL, once for both ways of reading a segment: which
    customers (over ``c``) and which of their subscriptions (over ``s``). ``bind(name,
    value)`` spells a value: a placeholder (statements with parameters) or a literal (a
    view's text, which cannot take parameters). The first paid month is worked out once
    here and bound as the ids it keeps."""
    schema = sql.Identifier(connection.schema_name)
    customers: list[sql.Composable] = []
    subscriptions: list[sql.Composable] = []
    for number, condition in enumerate(customer_filter.conditions):
        values = sql.SQL("{}::text[]").format(bind(f"segment_values_{number}", list(condition.values)))
        if condition.attribute in SUBSCRIPTION_COLUMNS:
            # An empty currency is the reporting currency (the import's rule).
            column = (sql.SQL("coalesce(nullif(s.currency, ''), {})").format(bind("segment_currency", currency))
                      if condition.attribute == "currency"
                      else sql.SQL("s.{}").format(sql.Identifier(condition.attribute)))
            subscriptions.append(sql.SQL("{}::text = ANY({})").format(column, values))
        elif condition.attribute in CUSTOMER_COLUMNS:
            customers.append(sql.SQL("c.{}::text = ANY({})").format(sql.Identifier(condition.attribute), values))
        elif condition.attribute == "first_paid_month":
            ids = bind(f"segment_first_paid_{number}", first_paid_in(condition.values))
            customers.append(sql.SQL("c.customer_id = ANY({}::text[])").format(ids))
        else:  # an extra column of a customers import (Customer.attributes)
            name = bind(f"segment_attribute_{number}", condition.attribute)
            customers.append(sql.SQL("(c.attributes ->> {}) = ANY({})").format(name, values))
    subscriptions_kept = sql.SQL(" AND ").join(subscriptions) if subscriptions else sql.SQL("TRUE")
    if subscriptions:
        customers.append(sql.SQL("EXISTS (SELECT 1 FROM {}.metrics_subscription s "
                                 "WHERE s.customer_id = c.customer_id AND {})").format(schema, subscriptions_kept))
    return (sql.SQL(" AND ").join(customers) if customers else sql.SQL("TRUE")), subscriptions_kept


def first_paid_in(months: tuple[str, ...]) -> list[str]:
    """The ids of the customers whose first payment (a paying subscription's start or a
    paid invoice, whichever is first) falls in one of ``months`` (YYYY-MM). The tables
    named with their schema: under a segment's views the unqualified names are the views."""
    schema = sql.Identifier(connection.schema_name)
    statement = sql.SQL(
        "SELECT customer_id FROM (SELECT customer_id, min(start_date) AS first FROM {}.metrics_subscription "
        "WHERE amount > 0 GROUP BY customer_id UNION ALL SELECT customer_id, min(date) FROM {}.metrics_invoice "
        "WHERE status = 'paid' AND amount > 0 GROUP BY customer_id) AS payments "
        "GROUP BY customer_id HAVING to_char(min(first), 'YYYY-MM') = ANY(%s::text[])").format(schema, schema)
    with connection.connection.cursor() as raw:
        raw.execute(statement, [list(months)])
        return [row[0] for row in raw.fetchall()]


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
    customer_where, subscription_where = _conditions(customer_filter, currency, lambda _, value: sql.Literal(value))
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
    with connection.connection.cursor() as raw:
        for statement in statements:
            raw.execute(statement)
