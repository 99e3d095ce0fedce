"""The engine's own SQL files (metrics/kpis/sql/) run by DuckDB over the in-memory
frames: the same plan in a columnar, vectorised engine, the practical limit.

Only the spelling of parameters changes (``%(name)s`` -> ``$name``); KPI Hub's own
survey tables do not exist here, so the survey sources are the imported answers only.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import duckdb
import pandas as pd

from metrics.kpis.figures import FAMILY_TABLES, load_sql
from metrics.kpis.periods import add_months

RESPONSES = "SELECT survey_type, score, responded_at FROM metrics_survey_response"
NO_INVITATIONS = ("SELECT NULL::VARCHAR AS survey_type, NULL::TIMESTAMPTZ AS sent_at, "
                  "NULL::BOOLEAN AS responded WHERE false")


def connect(tables: dict[str, pd.DataFrame]) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    for name, frame in tables.items():
        connection.register(name, frame)
    return connection


def run(connection, name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    sql = load_sql(name).replace("/*responses*/", RESPONSES).replace("/*invitations*/", NO_INVITATIONS)
    used = set(re.findall(r"%\((\w+)\)s", sql))
    sql = re.sub(r"%\((\w+)\)s", r"$\1", sql)
    result = connection.execute(sql, {key: params[key] for key in used})
    columns = [column[0] for column in result.description]
    return [dict(zip(columns, row)) for row in result.fetchall()]


def figures(connection, *, first: date, last: date, currency: str, timezone: str):
    """(family rows, tables with rows, first paid invoices, metric rows) as the engine's
    ``figures.assemble`` takes them."""
    params = {"first": first, "last": last, "after_last": add_months(last, 1),
              "currency": currency, "tz": timezone}
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
