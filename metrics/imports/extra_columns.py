"""A file's columns that are not its kind's, kept by name (issue 18, item 2): a
customers file's Stripe metadata or CRM fields become the customer's ``attributes``,
which a filter can name (metrics/segments/filters.py).

Only kinds declaring ``keeps_extra_columns`` do this; their extra cells are staged
like the others (staging.extra_column) and, once the rows are written, merged into
each written record's ``attributes`` by one UPDATE: a value replaces the attribute's
old one, an empty cell leaves it as it was.
"""

from __future__ import annotations

from psycopg import sql

from metrics.imports.kinds import Kind
from metrics.imports.sql import STAGING, TYPED
from metrics.imports.staging import extra_column

# jsonb_build_object takes at most 100 arguments: 50 attributes a call.
PER_CALL = 50


def keep(cursor, kind: Kind, extra: list[tuple[int, str]]) -> None:
    """Merge the staged extra cells of the written rows into ``attributes``."""
    key = kind.keys[0].columns[0]
    calls = []
    for start in range(0, len(extra), PER_CALL):
        pairs = []
        for index, name in extra[start:start + PER_CALL]:
            pairs += [sql.Literal(name), sql.SQL("nullif(btrim(s.{}), '')").format(sql.Identifier(extra_column(index)))]
        calls.append(sql.SQL("jsonb_strip_nulls(jsonb_build_object({}))").format(sql.SQL(", ").join(pairs)))
    statement = sql.SQL("""
        UPDATE {table} AS m SET attributes = m.attributes || e.attributes
        FROM (SELECT t.{key} AS key, {attributes} AS attributes
              FROM {typed} t JOIN {staging} s ON s.line = t.line) AS e
        WHERE m.{key} = e.key AND e.attributes <> '{{}}'::jsonb""").format(
        table=sql.Identifier(kind.table), key=sql.Identifier(key), attributes=sql.SQL(" || ").join(calls),
        typed=sql.Identifier(TYPED), staging=sql.Identifier(STAGING))
    cursor.execute(statement.as_string(cursor.connection))


def notes(extra: list[tuple[int, str]]) -> list[str]:
    """What the import tells about the extra columns it kept."""
    if not extra:
        return []
    names = ", ".join(name for _, name in extra)
    return [f"Kept as customer attributes (a filter can name them): {names}."]
