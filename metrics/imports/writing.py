"""Writing the checked rows into the tenant's tables, set-based, with exact counts.

First one join per key counts the rows whose key is new and those whose key exists
with other values (``_plan``): a file imported again writes nothing, and a load that
is large next to the table drops and re-creates its indexes only when it writes that
much. Then, for each key: one ``UPDATE ... FROM`` for rows whose key exists and
whose values differ, ``WHERE ROW(stored) IS DISTINCT FROM ROW(incoming)`` (updated),
then one ``INSERT ... SELECT ... WHERE NOT EXISTS`` for rows whose key is new
(created); everything else is unchanged. Either statement is skipped when the count
says it has nothing to do; the counts reported are the statements' own. Two statements instead of one ``INSERT ...
ON CONFLICT DO UPDATE``: the speculative insertion behind ``ON CONFLICT`` makes a
large load several times slower, and the counts are just as exact.
Imports of a kind are serialised per tenant (a transaction advisory lock), so no other
import can slip a key in between the two statements; the unique constraints still
stand guard (a violation fails the whole import, which writes nothing).

Large loads into a table that is small next to them follow PostgreSQL's own advice
("Populating a Database"): its secondary indexes and foreign keys are dropped and
re-created around the load, inside the same transaction, so a failure restores them.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

from django.db import models

from metrics.imports.kinds import KINDS, Column, Kind
from metrics.imports.sql import TYPED, key_condition, pg_type, quoted, row_values, sql_value
from metrics.models import CustomMetric

BULK_MIN_ROWS = 50_000


@dataclass
class Written:
    created: int = 0
    updated: int = 0
    rows: int = 0

    @property
    def unchanged(self) -> int:
        return self.rows - self.created - self.updated


def lock_kinds(cursor, kind: Kind) -> None:
    """One import per kind and tenant at a time; imports that create customers also
    take the customers lock. Taken in name order, so two imports never deadlock."""
    names = sorted({kind.name, *(["customers"] if kind.creates_customers else [])})
    for name in names:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || ':import:' || %s, 0))",
                       [name])


def _insert_expressions(kind: Kind, present: list[Column], prefix: str) -> tuple[list[str], list[str]]:
    """Target columns and the SQL for each: the row's value, a fixed value, or the
    declared (else the model's) default."""
    values = row_values(kind, present, prefix)
    declared = {column.name for column in kind.columns}
    names, expressions = [], []
    for field in kind.model._meta.concrete_fields:
        if field.primary_key:
            continue
        names.append(quoted(field.column))
        if field.column in kind.fixed:
            expressions.append(sql_value(kind.fixed[field.column]))
        elif field.column in declared:
            expressions.append(values[field.column])
        else:
            default = field.get_default() if field.has_default() else (None if field.null else "")
            expressions.append(sql_value(default))
    return names, expressions


def create_bare_customers(cursor) -> tuple[int, list[str]]:
    """Customers the rows name but the tenant does not have yet, made bare."""
    customers = KINDS["customers"]
    names, expressions = _insert_expressions(customers, [], "v")
    chosen = {"customer_id": "v.customer_id", "is_bare": "TRUE"}
    expressions = [chosen.get(name.strip('"'), expression) for name, expression in zip(names, expressions)]
    cursor.execute(f"""
        WITH made AS (
            INSERT INTO {customers.table} ({', '.join(names)})
            SELECT {', '.join(expressions)}
            FROM (SELECT DISTINCT customer_id FROM {TYPED}
                  WHERE customer_id IS NOT NULL AND customer_id <> '') v
            WHERE NOT EXISTS (SELECT 1 FROM {customers.table} c WHERE c.customer_id = v.customer_id)
            ON CONFLICT DO NOTHING
            RETURNING customer_id)
        SELECT count(*), (array_agg(customer_id ORDER BY customer_id))[1:5] FROM made""")
    count, examples = cursor.fetchone()
    return count, examples or []


def create_custom_metrics(cursor, *, reserved: set[str]) -> list[str]:
    """A metric slug seen for the first time becomes a custom KPI (reserved slugs and
    the catalog's own KPIs keep their built-in meaning)."""
    cursor.execute(f"""
        INSERT INTO {CustomMetric._meta.db_table} (slug, name, unit, aggregation, direction)
        SELECT DISTINCT v.metric, '', %s, %s, %s FROM {TYPED} v
        WHERE NOT (v.metric = ANY(%s))
          AND NOT EXISTS (SELECT 1 FROM {CustomMetric._meta.db_table} c WHERE c.slug = v.metric)
        ON CONFLICT DO NOTHING
        RETURNING slug""",
                   [CustomMetric._meta.get_field("unit").default, CustomMetric.Aggregation.LAST,
                    CustomMetric.Direction.UP, sorted(reserved)])
    return sorted(slug for (slug,) in cursor.fetchall())


def upsert(cursor, kind: Kind, present: list[Column]) -> Written:
    cursor.execute(f"SELECT count(*) FROM {TYPED}")
    written = Written(rows=cursor.fetchone()[0])
    if not written.rows:
        return written
    # A kind's keys split both the incoming and the stored rows by the same ``when``
    # condition, so one key's writes never change what another key's count found.
    plans = [(key, *_plan(cursor, kind, present, key)) for key in kind.keys]
    to_write = sum(new + changed for _, new, changed in plans)
    if not to_write:
        return written
    with bulk_load(cursor, kind.model, rows=to_write):
        for key, new, changed in plans:
            if changed:
                written.updated += _update_changed(cursor, kind, present, key)
            if new:
                written.created += _insert_new(cursor, kind, present, key)
    return written


def _plan(cursor, kind: Kind, present: list[Column], key) -> tuple[int, int]:
    """How many incoming rows of ``key`` are new, and how many would change a record."""
    found = f"r.{quoted(kind.model._meta.pk.column)} IS NOT NULL"
    differs = _differs(kind, _assignments(kind, present, key))
    changed = f"count(*) FILTER (WHERE {found} AND {differs})" if differs else "0"
    cursor.execute(f"""
        SELECT count(*) FILTER (WHERE NOT {found}), {changed}
        FROM {TYPED} v LEFT JOIN {kind.table} r ON {_matches(kind, present, key)}
        WHERE {key_condition(key, row_values(kind, present, "v"))}""")
    return cursor.fetchone()


def _matches(kind: Kind, present: list[Column], key) -> str:
    """SQL: the stored record ``r`` is the one ``key`` finds for the incoming row ``v``."""
    incoming, stored = row_values(kind, present, "v"), row_values(kind, present, "r")
    same_key = " AND ".join(f"r.{quoted(name)} = {incoming[name]}" for name in key.columns)
    return f"{same_key} AND {key_condition(key, stored)}"


def _assignments(kind: Kind, present: list[Column], key) -> dict[str, str]:
    """What an update of ``key``'s records sets: the file's other columns, and the
    kind's fixed values."""
    incoming = row_values(kind, present, "v")
    assignments = {column.name: incoming[column.name] for column in present if column.name not in key.columns}
    assignments.update({name: sql_value(value) for name, value in kind.fixed.items()})
    return assignments


def _differs(kind: Kind, assignments: dict[str, str]) -> str:
    """SQL: the stored record ``r`` differs from what ``assignments`` would set ("" when
    they set nothing)."""
    if not assignments:
        return ""
    new = ", ".join(f"{expression}::{_column_type(kind, name)}" for name, expression in assignments.items())
    old = ", ".join(f"r.{quoted(name)}" for name in assignments)
    return f"ROW({old}) IS DISTINCT FROM ROW({new})"


def _update_changed(cursor, kind: Kind, present: list[Column], key) -> int:
    assignments = _assignments(kind, present, key)
    if not assignments:
        return 0
    cursor.execute(f"""
        UPDATE {kind.table} AS r
        SET {', '.join(f'{quoted(name)} = {expression}' for name, expression in assignments.items())}
        FROM {TYPED} v
        WHERE {_matches(kind, present, key)} AND {key_condition(key, row_values(kind, present, "v"))}
          AND {_differs(kind, assignments)}""")
    return cursor.rowcount


def _insert_new(cursor, kind: Kind, present: list[Column], key) -> int:
    names, expressions = _insert_expressions(kind, present, "v")
    cursor.execute(f"""
        INSERT INTO {kind.table} ({', '.join(names)})
        SELECT {', '.join(expressions)} FROM {TYPED} v
        WHERE {key_condition(key, row_values(kind, present, "v"))}
          AND NOT EXISTS (SELECT 1 FROM {kind.table} r WHERE {_matches(kind, present, key)})""")
    return cursor.rowcount


def _column_type(kind: Kind, name: str) -> str:
    declared = {column.name: column for column in kind.columns}
    if name in declared:
        return pg_type(declared[name])
    return "boolean" if isinstance(kind.model._meta.get_field(name), models.BooleanField) else "text"


@contextmanager
def bulk_load(cursor, model: type[models.Model], *, rows: int):
    """Drop the table's non-unique indexes and its foreign keys while a large load
    runs, and re-create them from their own definitions afterwards. Into an empty
    table, its unique indexes and constraints go too (but the primary key, and any a
    foreign key relies on): building one from sorted keys costs a fraction of
    checking a million inserts against it, and re-creating it checks every key."""
    table = model._meta.db_table
    cursor.execute("SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = %s::regclass", [table])
    stored = cursor.fetchone()[0]
    if rows < BULK_MIN_ROWS or rows < stored:
        yield False
        return
    cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {quoted(table)})")
    empty = cursor.fetchone()[0]
    # Indexes that no constraint owns or relies on: plain ones, and unique ones
    # (made by a UniqueConstraint with a condition) when the table is empty.
    cursor.execute("""SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x
                      JOIN pg_class i ON i.oid = x.indexrelid
                      WHERE x.indrelid = %s::regclass AND (NOT x.indisunique OR %s)
                        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)""",
                   [table, empty])
    indexes = cursor.fetchall()
    cursor.execute("""SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c
                      WHERE c.conrelid = %s::regclass AND c.contype = 'u' AND %s
                        AND NOT EXISTS (SELECT 1 FROM pg_constraint f
                                        WHERE f.contype = 'f' AND f.conindid = c.conindid)""", [table, empty])
    uniques = cursor.fetchall()
    cursor.execute("""SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
                      WHERE conrelid = %s::regclass AND contype = 'f'""", [table])
    foreign_keys = cursor.fetchall()
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for name, _ in [*foreign_keys, *uniques]:
        cursor.execute(f"ALTER TABLE {quoted(table)} DROP CONSTRAINT {quoted(name)}")
    for name, _ in indexes:
        cursor.execute(f"DROP INDEX {quoted(name)}")
    yield True
    for _, definition in indexes:
        cursor.execute(definition)
    for name, definition in [*uniques, *foreign_keys]:
        cursor.execute(f"ALTER TABLE {quoted(table)} ADD CONSTRAINT {quoted(name)} {definition}")
