"""Per-month figures of a tenant, aggregated by the SQL families in ``sql/``
(statements.py reads them).

Each family is one statement over the month series (``generate_series``) that returns
one row per month; nothing here loops over records. A family whose table is empty
gives ``Missing`` figures ("no invoices imported"), so its KPIs are null with that
reason instead of 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection

from metrics.kpis.engine import in_window, side_connections
from metrics.kpis.engine.statements import ENGINE_SQL, SqlFiles
from metrics.kpis.formulas import Missing
from metrics.months import Month, add_months
from surveys import scoring

HOUR = Decimal(3600)
TWELVE = Decimal(12)


@dataclass(frozen=True)
class Scope:
    """What the families aggregate: months ``first`` .. ``last`` (first days), money in
    ``currency``, datetimes read in ``timezone``."""

    first: Month
    last: Month
    currency: str
    timezone: str

    def params(self) -> dict[str, Any]:
        return {"first": self.first, "last": self.last, "after_last": add_months(self.last, 1),
                "currency": self.currency, "tz": self.timezone, **in_window.params(self.timezone)}


# Family -> (table that must have rows, reason when it has none); the costliest first,
# as collect() hands them to the connections in this order.
FAMILY_TABLES = {
    "invoices": ("metrics_invoice", "no invoices imported"),
    "movements": ("metrics_subscription", "no subscriptions imported"),
    "subscriptions": ("metrics_subscription", "no subscriptions imported"),
    "tickets": ("metrics_ticket", "no tickets imported"),
    "surveys": (None, ""),
    "leads": ("metrics_lead", "no leads imported"),
    "expenses": ("metrics_expense", "no expenses imported"),
    "traffic": ("metrics_traffic", "no traffic imported"),
}


# Families whose statement covers one shard of the customers (movements.sql): the
# heaviest, split so that every connection gets a part. WHOLE: the parameters of one
# shard that is all customers (the benchmark's DuckDB runs the statement so).
SHARDED = ("movements",)
WHOLE = {"shard": 0, "shards": 1}


def statement(name: str, params: dict[str, Any], *, shard: int | None = None,
              sql: SqlFiles = ENGINE_SQL) -> side_connections.Statement:
    """A family's statement; a sharded family's is named ``(family, shard)``."""
    return (name if shard is None else (name, shard)), sql.load(name), params


def fetch(name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    return side_connections.run_all([statement(name, params)])[name]


def data_months(timezone: str) -> tuple[Month | None, Month | None]:
    """The first and last month any record falls in, or (None, None) without data."""
    row = fetch("data_months", {"tz": timezone, **in_window.params(timezone)})[0]
    return row["first_month"], row["last_month"]


def tables_with_rows() -> set[str]:
    tables = [table for table, _ in FAMILY_TABLES.values() if table]
    sql = "SELECT " + ", ".join(f"EXISTS (SELECT 1 FROM {table})" for table in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        flags = cursor.fetchone()
    return {table for table, present in zip(tables, flags) if present}


def collect(scope: Scope, *, session: tuple[str, ...] = (), unfollowed: Mapping[str, str] | None = None,
            present: set[str] | None = None, sql: SqlFiles = ENGINE_SQL,
            extra_params: Mapping[str, Any] | None = None) -> tuple[dict[Month, dict[str, Any]], dict[str, int]]:
    """Every family's figures for every month of the scope, and per family how many
    rows were left out for want of an exchange rate. The statements run side by side
    (side_connections.py); ``session``: the SET LOCAL statements the caller ran;
    ``unfollowed``: families (``metric_values`` too) whose figures are ``Missing`` with
    the reason given, and ``present``: the tables with rows of the whole company;
    ``sql`` and ``extra_params``: the statements with some tables' rows read otherwise
    (a segment's figures, metrics/segments/engine.py)."""
    params = {**scope.params(), **(extra_params or {})}
    present = tables_with_rows() if present is None else present
    # One shard with one connection; otherwise one fewer than twice the connections, so
    # that the shards and the largest other statement share the connections evenly.
    shards = max(2 * settings.KPIHUB_KPI_CONNECTIONS - 1, 1)
    statements = []
    for name in [*FAMILY_TABLES, "metric_values"]:
        if name in SHARDED:
            statements += [statement(name, {**params, "shard": shard, "shards": shards}, shard=shard, sql=sql)
                           for shard in range(shards)]
        else:
            statements.append(statement(name, params, sql=sql))
    if _counts_first_paid_invoices(present):
        statements.append(statement("first_paid_invoices", params, sql=sql))
    rows = side_connections.run_all(statements, session=session)
    for family in SHARDED:
        rows[family] = add_up([rows.pop((family, shard)) for shard in range(shards)])
    first_paid = {row["month"]: row["new_invoice_customers"] for row in rows.get("first_paid_invoices", [])}
    return assemble({family: rows[family] for family in FAMILY_TABLES}, present, first_paid,
                    rows["metric_values"], unfollowed=unfollowed or {})


def add_up(shards: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """One family's rows from its shards' (the same months in the same order): every
    figure summed, month by month."""
    return [{name: value if name == "month" else sum(row[name] for row in month_rows)
             for name, value in month_rows[0].items()}
            for month_rows in zip(*shards)]


def assemble(family_rows: dict[str, list[dict[str, Any]]], present: set[str],
             first_paid: dict[Month, int], metric_rows: list[dict[str, Any]], *,
             unfollowed: Mapping[str, str] | None = None,
             ) -> tuple[dict[Month, dict[str, Any]], dict[str, int]]:
    """Per-month figures from the families' rows (whoever computed them: the
    benchmark feeds pandas' and DuckDB's rows through here too); ``unfollowed``: see
    collect()."""
    unfollowed = unfollowed or {}
    months: dict[Month, dict[str, Any]] = {}
    unconverted: dict[str, int] = {}
    for family, (table, reason) in FAMILY_TABLES.items():
        for row in family_rows[family]:
            row = dict(row)
            month = row.pop("month")
            left_out = row.pop("unconverted_rows", 0)
            if left_out:
                unconverted[family] = int(left_out)
            if family in unfollowed:
                row = {name: Missing(unfollowed[family]) for name in row}
            elif table and table not in present:
                row = {name: Missing(reason) for name in row}
            months.setdefault(month, {}).update(row)
    for month, figures in months.items():
        figures["first_paid_invoice_customers"] = first_paid.get(month, Missing(
            "no subscriptions or invoices imported"))
        _add_derived(figures)
    if "metric_values" in unfollowed:
        for figures in months.values():
            for name in METRIC_VALUE_FIGURES:
                figures[name] = Missing(unfollowed["metric_values"])
    else:
        _add_metric_values(months, metric_rows)
    return months, unconverted


def _counts_first_paid_invoices(present: set[str]) -> bool:
    """Only a tenant without subscriptions counts new customers by first paid invoice."""
    return "metrics_subscription" not in present and "metrics_invoice" in present


def _add_derived(figures: dict[str, Any]) -> None:
    """Figures shown as inputs in people's units (hours, MRR rather than 12 x MRR)."""
    def derived(name: str, source: str, divisor: Decimal) -> None:
        value = figures.get(source)
        figures[name] = value if isinstance(value, Missing) else Decimal(value) / divisor

    derived("scheduled_mrr", "scheduled12", TWELVE)
    derived("ending_mrr", "ending12", TWELVE)
    derived("first_response_hours_total", "first_response_seconds", HOUR)
    derived("resolution_hours_total", "resolution_seconds", HOUR)
    if isinstance(figures["promoters"], Missing):  # surveys unfollowed (collect())
        figures["nps_margin"] = figures["csat_margin"] = figures["promoters"]
        return
    margin = scoring.nps_margin(**{name: figures[name] for name in ("promoters", "passives", "detractors")})
    figures["nps_margin"] = Missing("no NPS responses in the month") if margin is None else margin
    margin = scoring.csat_margin(satisfied=figures["satisfied"], total=figures["csat_answers"])
    figures["csat_margin"] = Missing("no CSAT responses in the month") if margin is None else margin


# The figures _add_metric_values() names outside the ``metric:<slug>:...`` ones (which a
# formula reads with ``raw``: absent is Missing too).
METRIC_VALUE_FIGURES = ("cash_balance_last", "active_users_last", "inventory_value_mean")


def _add_metric_values(months: dict[Month, dict[str, Any]], rows: list[dict[str, Any]]) -> None:
    """metric_values per slug and month (last, sum, count), and the reserved slugs'
    figures: cash_balance_last, active_users_last, inventory_value_mean."""
    for row in rows:
        figures = months.get(row["month"])
        if figures is None:
            continue
        slug = row["metric"]
        figures[f"metric:{slug}:last"] = row["last_value"]
        figures[f"metric:{slug}:sum"] = row["total"]
        figures[f"metric:{slug}:count"] = row["n"]
    for figures in months.values():
        figures["cash_balance_last"] = figures.get(
            "metric:cash_balance:last", Missing("no cash_balance value dated in the month"))
        figures["active_users_last"] = figures.get(
            "metric:active_users:last", Missing("no active_users value dated in the month"))
        count = figures.get("metric:inventory_value:count", 0)
        figures["inventory_value_mean"] = (
            Decimal(figures["metric:inventory_value:sum"]) / count if count
            else Missing("no inventory_value dated in the month"))
