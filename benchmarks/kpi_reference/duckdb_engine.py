"""The engine's own SQL files (metrics/kpis/engine/sql/) run by DuckDB over the in-memory
frames: the same plan in a columnar, vectorised engine, the practical limit.

Only the spelling of parameters changes (``%(name)s`` -> ``$name``); KPI Hub's own
survey tables do not exist here, so the survey sources are the imported answers only.
The frames hold money as doubles; each table is seen through a view that gives its
decimal columns the engine's types (``numeric(16, 2)`` -> ``DECIMAL(16, 2)``), because
the engine's SQL relies on exact sums: a customer's running MRR must come back to
exactly 0 when its last subscription ends.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import duckdb
import pandas as pd

from metrics.kpis.engine import in_window
from metrics.kpis.engine.figures import FAMILY_TABLES, WHOLE
from metrics.kpis.engine.statements import ENGINE_SQL
from metrics.months import add_months

RESPONSES = "SELECT survey_type, score, responded_at FROM metrics_survey_response"
NO_INVITATIONS = ("SELECT NULL::VARCHAR AS survey_type, NULL::TIMESTAMPTZ AS sent_at, "
                  "NULL::BOOLEAN AS responded WHERE false")
SQL = ENGINE_SQL.with_sources(responses=RESPONSES, invitations=NO_INVITATIONS)


def connect(tables: dict[str, pd.DataFrame]) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    # PostgreSQL functions the engine's SQL uses that DuckDB spells otherwise: the text
    # hash it shards customers by (movements.sql), the bucket of a value among sorted
    # bounds (tickets.sql).
    connection.execute("CREATE MACRO hashtext(value) AS (hash(value) % 2147483647)::INTEGER")
    connection.execute("CREATE MACRO width_bucket(value, bounds) AS "
                       "CASE WHEN value IS NOT NULL THEN len(list_filter(bounds, lambda b: b <= value)) END")
    decimals = decimal_columns()
    for name, frame in tables.items():
        connection.register(f"{name}_frame", frame)
        casts = [f"CAST({column} AS DECIMAL({digits}, {places})) AS {column}"
                 for column, (digits, places) in decimals.get(name, {}).items() if column in frame]
        replace = f" REPLACE ({', '.join(casts)})" if casts else ""
        connection.execute(f"CREATE VIEW {name} AS SELECT *{replace} FROM {name}_frame")
    return connection


def decimal_columns() -> dict[str, dict[str, tuple[int, int]]]:
    """Per table, its decimal columns and their (digits, places), from the models."""
    from django.apps import apps
    from django.db import models

    return {model._meta.db_table: {field.column: (field.max_digits, field.decimal_places)
                                   for field in model._meta.concrete_fields
                                   if isinstance(field, models.DecimalField)}
            for model in apps.get_models()}


def run(connection, name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    sql = SQL.load(name)
    used = set(re.findall(r"%\((\w+)\)s", sql))
    sql = re.sub(r"%\((\w+)\)s", r"$\1", sql)
    result = connection.execute(sql, {key: params[key] for key in used})
    columns = [column[0] for column in result.description]
    return [dict(zip(columns, row)) for row in result.fetchall()]


def figures(connection, *, first: date, last: date, currency: str, timezone: str):
    """(family rows, tables with rows, first paid invoices, metric rows) as the engine's
    ``figures.assemble`` takes them."""
    params = {"first": first, "last": last, "after_last": add_months(last, 1),
              "currency": currency, "tz": timezone, **WHOLE, **in_window.params(timezone)}
    family_rows = {family: [_month_as_date(row) for row in run(connection, family, params)]
                   for family in FAMILY_TABLES}
    present = {table for table, _ in FAMILY_TABLES.values()
               if table and connection.execute(f"SELECT count(*) > 0 FROM {table}").fetchone()[0]}
    metric_rows = [_month_as_date(row) for row in run(connection, "metric_values", params)]
    return family_rows, present, {}, metric_rows


def _month_as_date(row: dict[str, Any]) -> dict[str, Any]:
    month = row["month"]
    row["month"] = month.date() if hasattr(month, "date") else month
    return row
