"""The drill-down's SQL (records, breakdowns, channel trends): one statement per file in
``sql/``, read as the engine's are (engine/statements.py), which they build on
(``/*customer_states*/``, ``/*responses*/``, ``/*invitations*/``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import connection

from metrics.kpis.engine.statements import ENGINE_SQL, SqlFiles

DRILLDOWN_SQL = SqlFiles(Path(__file__).parent / "sql", base=ENGINE_SQL)


def fetch(name: str, params: dict[str, Any]) -> list[tuple]:
    """Every row of the statement ``name``."""
    with connection.cursor() as cursor:
        cursor.execute(DRILLDOWN_SQL.load(name), params)
        return cursor.fetchall()
