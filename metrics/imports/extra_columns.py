"""A file's columns that are not its kind's, kept by name (issue 18, item 2): a
customers file's Stripe metadata or CRM fields become the customer's ``attributes``,
which a filter can name (metrics/segments/filters.py).

Only kinds declaring ``keeps_extra_columns`` do this; their extra cells are staged
like the others (staging.extra_column) and, once the rows are written, merged into
each written record's ``attributes`` by one UPDATE: a value replaces the attribute's
old one, an empty cell leaves it as it was. Vendor exports keep theirs the same way:
a source's ``attributes`` rule (sources/declaring.py) picks the columns that are the
customer's own (Stripe metadata, CRM properties) and passes them on by name.
"""

from __future__ import annotations

from psycopg import sql

from metrics.imports.kinds import Kind
from metrics.imports.sql import STAGING, TYPED
from metrics.imports.staging import extra_column
from metrics.imports.writing import CHANGES

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
    names = dict(table=sql.Identifier(kind.table), key=sql.Identifier(key), attributes=sql.SQL(" || ").join(calls),
                 typed=sql.Identifier(TYPED), staging=sql.Identifier(STAGING), changes=sql.Identifier(CHANGES),
                 pk=sql.Identifier(kind.model._meta.pk.column), kind=sql.Literal(kind.name))
    extra_cells = sql.SQL("""(SELECT t.{key} AS key, {attributes} AS attributes
              FROM {typed} t JOIN {staging} s ON s.line = t.line)""").format(**names)
    # The import's undo sets back what it changed: a record whose attributes change
    # while its columns did not (a CRM export adding properties to a billing customer)
    # has no before-image from the upsert yet, so it gets one here. Records the import
    # created, or updated (imaged already), are left to the upsert's account.
    imaged = sql.SQL("""
        INSERT INTO {changes} (key, before)
        SELECT jsonb_build_object('kind', {kind}, 'id', m.{pk}), to_jsonb(m)
        FROM {table} AS m JOIN {extra_cells} AS e ON m.{key} = e.key
        WHERE e.attributes <> '{{}}'::jsonb AND m.attributes <> m.attributes || e.attributes
          AND NOT EXISTS (
            SELECT 1 FROM {changes} c WHERE c.key->>'kind' = {kind}
              AND (c.key->'id' = to_jsonb(m.{pk})
                   OR m.{pk} BETWEEN (c.key->'created'->>0)::bigint AND (c.key->'created'->>1)::bigint))""").format(
        extra_cells=extra_cells, **names)
    cursor.execute(imaged.as_string(cursor.connection))
    statement = sql.SQL("""
        UPDATE {table} AS m SET attributes = m.attributes || e.attributes
        FROM {extra_cells} AS e
        WHERE m.{key} = e.key AND e.attributes <> '{{}}'::jsonb""").format(extra_cells=extra_cells, **names)
    cursor.execute(statement.as_string(cursor.connection))


def notes(extra: list[tuple[int, str]]) -> list[str]:
    """What the import tells about the extra columns it kept."""
    if not extra:
        return []
    names = ", ".join(name for _, name in extra)
    return [f"Kept as customer attributes (a filter can name them): {names}."]
