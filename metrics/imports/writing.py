"""Writing the checked rows into the tenant's tables, set-based, with exact counts.

First one join per key counts the rows whose key is new and those whose key exists
with other values (``_plan``): a file imported again writes nothing, and a load that
is large next to the table goes into a fresh copy of it only when it writes that
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

Large loads into a table that is small next to them go into a fresh copy of the
table with no index, built afterwards and swapped in under a brief lock at the end
(``bulk_load``, fresh_table.py), inside the same transaction, so a failure leaves
the table as it was; readers of the table never wait for the load.

What an import changes is kept for its undo, set-based in the same statements' wake
(``import_changes``, a temp table the caller moves into ``metrics_importchange`` under
the import's id, ``keep_changes``): a record it updates or deletes leaves its whole
row as it was (``to_jsonb``) keyed ``{"kind", "id"}``; the records one insert
creates are kept as the range of their ids, ``{"kind", "created": [first, last]}``.
A range is exact because every write to a kind's table (imports, undo, delete, the
bare customers an import makes) holds that kind's import lock until it commits, so
no other writer's ids can fall inside it; a million-row first load adds one row
(keeping every id cost a third of the load's time).
``replace`` deletes what a ``mode=replace`` file does not name; ``revert`` plays an
import's changes backwards; ``delete_record`` removes one record the same way.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import models

from metrics.imports import fresh_table
from metrics.imports.kinds import KINDS, Column, Kind
from metrics.imports.sql import TYPED, key_condition, literal, pg_type, quoted, row_values, sql_value
from metrics.models import CustomMetric, ImportChange

BULK_MIN_ROWS = 50_000
# What the import being written changed, until the caller keeps it under the import's id.
CHANGES = "import_changes"
# The typed rows a replace's file had with errors: their records are not deleted.
REJECTED_KEYS = "import_rejected_keys"


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


def begin_changes(cursor) -> None:
    """An empty list of changes for the import about to write."""
    cursor.execute(f"DROP TABLE IF EXISTS {CHANGES}")
    cursor.execute(f"CREATE TEMP TABLE {CHANGES} (key jsonb NOT NULL, before jsonb)")


def keep_changes(cursor, data_import_id) -> None:
    """The changes written so far become the before-images of ``data_import_id``
    (inside its transaction: they commit or roll back with the data)."""
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [CHANGES])
    if not cursor.fetchone()[0]:
        return
    cursor.execute(f"INSERT INTO {ImportChange._meta.db_table} (data_import_id, key, before) "
                   f"SELECT %s, key, before FROM {CHANGES}", [data_import_id])
    cursor.execute(f"DROP TABLE {CHANGES}")


def _created_key(kind: Kind, made: str) -> str:
    """SQL: keep the range of the ids the CTE ``made`` returned as records of ``kind``
    the import created."""
    pk = quoted(kind.model._meta.pk.column)
    return (f"INSERT INTO {CHANGES} (key) "
            f"SELECT jsonb_build_object('kind', {literal(kind.name)}, 'created', jsonb_build_array(min({pk}), "
            f"max({pk}))) FROM {made} HAVING count(*) > 0")


def _before_key(kind: Kind, alias: str) -> str:
    """SQL: the key and before-image of the row ``alias`` of ``kind``."""
    pk = quoted(kind.model._meta.pk.column)
    return f"jsonb_build_object('kind', {literal(kind.name)}, 'id', {alias}.{pk}), to_jsonb({alias})"


def create_bare_customers(cursor) -> tuple[int, list[str]]:
    """Customers the rows name but the tenant does not have yet, made bare."""
    cursor.execute(_bare_customers(f"SELECT DISTINCT customer_id FROM {TYPED}", keep=True))
    count, examples = cursor.fetchone()
    return count, examples or []


def _bare_customers(source: str, *, keep: bool) -> str:
    """SQL: make bare the customers whose ids ``source`` (a query with a customer_id
    column) names and the tenant does not have; it answers how many, and a few ids.
    ``keep`` records them as created by the import being written."""
    customers = KINDS["customers"]
    names, expressions = _insert_expressions(customers, [], "v")
    chosen = {"customer_id": "v.customer_id", "is_bare": "TRUE"}
    expressions = [chosen.get(name.strip('"'), expression) for name, expression in zip(names, expressions)]
    kept = f", kept AS ({_created_key(customers, 'made')})" if keep else ""
    return f"""
        WITH made AS (
            INSERT INTO {customers.table} ({', '.join(names)})
            SELECT {', '.join(expressions)}
            FROM ({source}) v
            WHERE v.customer_id IS NOT NULL AND v.customer_id <> ''
              AND NOT EXISTS (SELECT 1 FROM {customers.table} c WHERE c.customer_id = v.customer_id)
            ON CONFLICT DO NOTHING
            RETURNING id, customer_id){kept}
        SELECT count(*), (array_agg(customer_id ORDER BY customer_id))[1:5] FROM made"""


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
    with bulk_load(cursor, kind.model, rows=to_write) as load:
        for key, new, changed in plans:
            if changed:
                written.updated += _update_changed(cursor, kind, present, key, table=load.table)
            if new:
                written.created += _insert_new(cursor, kind, present, key, table=load.table, into_empty=load.empty)
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


def _update_changed(cursor, kind: Kind, present: list[Column], key, *, table: str) -> int:
    """Update the records of ``table`` (the kind's, or its fresh copy) whose values differ."""
    assignments = _assignments(kind, present, key)
    if not assignments:
        return 0
    cursor.execute(f"""
        INSERT INTO {CHANGES} (key, before)
        SELECT {_before_key(kind, "r")} FROM {quoted(table)} AS r, {TYPED} v
        WHERE {_matches(kind, present, key)} AND {key_condition(key, row_values(kind, present, "v"))}
          AND {_differs(kind, assignments)}""")
    cursor.execute(f"""
        UPDATE {quoted(table)} AS r
        SET {', '.join(f'{quoted(name)} = {expression}' for name, expression in assignments.items())}
        FROM {TYPED} v
        WHERE {_matches(kind, present, key)} AND {key_condition(key, row_values(kind, present, "v"))}
          AND {_differs(kind, assignments)}""")
    return cursor.rowcount


def _insert_new(cursor, kind: Kind, present: list[Column], key, *, table: str, into_empty: bool) -> int:
    """Insert into ``table`` (the kind's, or its fresh copy) the rows whose key is new."""
    names, expressions = _insert_expressions(kind, present, "v")
    pk = quoted(kind.model._meta.pk.column)
    # Into a table that had no live row every row is new, and the keys' ``when``
    # conditions keep one key's inserts out of another's matches. Asking anyway can
    # cost more than the load: into a fresh copy there is no index yet, and after a
    # rolled-back import the table is full of dead rows that the planner, told it is
    # empty, may scan once per incoming row.
    new_key = "" if into_empty else (
        f"AND NOT EXISTS (SELECT 1 FROM {quoted(table)} r WHERE {_matches(kind, present, key)})")
    cursor.execute(f"""
        WITH made AS (
            INSERT INTO {quoted(table)} ({', '.join(names)})
            SELECT {', '.join(expressions)} FROM {TYPED} v
            WHERE {key_condition(key, row_values(kind, present, "v"))}
              {new_key}
            RETURNING {pk}),
        kept AS ({_created_key(kind, "made")})
        SELECT count(*) FROM made""")
    return cursor.fetchone()[0]


def _column_type(kind: Kind, name: str) -> str:
    declared = {column.name: column for column in kind.columns}
    if name in declared:
        return pg_type(declared[name])
    return "boolean" if isinstance(kind.model._meta.get_field(name), models.BooleanField) else "text"


# --- Replace, undo, delete ------------------------------------------------------------------

@dataclass
class Replaced:
    deleted: int = 0
    warnings: list[str] = field(default_factory=list)


def keep_rejected_keys(cursor) -> None:
    """Before the rows with errors are dropped: a replace must not delete the records
    they name (a row with an error still says its record exists)."""
    cursor.execute(f"DROP TABLE IF EXISTS {REJECTED_KEYS}")
    cursor.execute(f"CREATE TEMP TABLE {REJECTED_KEYS} AS SELECT * FROM {TYPED} WHERE cardinality(problems) > 0")


def replace(cursor, kind: Kind, present: list[Column], *, rejected: int = 0) -> Replaced:
    """``mode=replace``, after the upsert: delete the records of ``kind`` that no row
    of the file names, keeping their before-images. Records other tables refer to
    (customers with subscriptions or invoices) are kept and named in a warning;
    records named by a rejected row (``keep_rejected_keys``) are kept as they were."""
    done = Replaced()
    missing = _not_named_by(kind, present, TYPED)
    if rejected:
        key_columns = sorted({name for key in kind.keys for name in key.columns} | {"row"})
        cursor.execute(f"SELECT count(*) FROM {REJECTED_KEYS} WHERE EXISTS "
                       f"(SELECT 1 FROM unnest(problems) p WHERE split_part(p, ':', 1) = ANY(%s))", [key_columns])
        unreadable = cursor.fetchone()[0]
        if unreadable:
            cursor.execute(f"DROP TABLE {REJECTED_KEYS}")
            done.warnings.append(
                f"Nothing was deleted (mode=replace): {_rows(unreadable)} with errors "
                f"{'have' if unreadable > 1 else 'has'} no readable key, so which records the file still "
                f"holds is unknown. Fix the rejected rows and import the file again to replace.")
            return done
        missing += f" AND {_not_named_by(kind, present, REJECTED_KEYS)}"
    referencing = _referencing(kind)
    deletable = " AND ".join([missing, *(f"NOT {condition}" for _, condition in referencing)])
    cursor.execute(f"""
        WITH gone AS (DELETE FROM {kind.table} AS r WHERE {deletable} RETURNING r.*),
        kept AS (INSERT INTO {CHANGES} (key, before) SELECT {_before_key(kind, "gone")} FROM gone)
        SELECT count(*) FROM gone""")
    done.deleted = cursor.fetchone()[0]
    if referencing:
        first = quoted(kind.keys[0].columns[0])
        cursor.execute(f"SELECT count(*), (array_agg(r.{first} ORDER BY r.{first}))[1:5] "
                       f"FROM {kind.table} r WHERE {missing}")
        kept, examples = cursor.fetchone()
        if kept:
            more = f" and {kept - len(examples)} more" if kept > len(examples) else ""
            names = " or ".join(label for label, _ in referencing)
            done.warnings.append(
                f"{kept:,} {kind.label.lower() if kept > 1 else kind.name.rstrip('s')} missing from the file "
                f"{'were' if kept > 1 else 'was'} kept, not deleted: {names} refer to "
                f"{'them' if kept > 1 else 'it'}: {', '.join(examples)}{more}.")
    if rejected:
        cursor.execute(f"DROP TABLE IF EXISTS {REJECTED_KEYS}")
    return done


def _rows(count: int) -> str:
    return f"{count:,} row{'s' if count != 1 else ''}"


def _not_named_by(kind: Kind, present: list[Column], table: str) -> str:
    """SQL: no row of ``table`` (typed rows of the file) names the stored record ``r``,
    by any of the kind's keys (one NOT EXISTS per key: each is an anti-join)."""
    incoming = row_values(kind, present, "v")
    stored = {column.name: f"r.{quoted(column.name)}" for column in kind.columns}
    conditions = []
    for key in kind.keys:
        same = " AND ".join(f"r.{quoted(name)} = {incoming[name]}" for name in key.columns)
        conditions.append(f"NOT EXISTS (SELECT 1 FROM {table} v WHERE {same} "
                          f"AND {key_condition(key, incoming)} AND {key_condition(key, stored)})")
    return " AND ".join(conditions)


def _referencing(kind: Kind) -> list[tuple[str, str]]:
    """The other tables' foreign keys to the kind's records: (what they are, SQL: some
    row of theirs refers to the stored record ``r``)."""
    found = []
    for relation in kind.model._meta.related_objects:
        if relation.many_to_many or not relation.field.concrete:
            continue
        other = relation.related_model._meta
        found.append((str(other.verbose_name_plural),
                      f"EXISTS (SELECT 1 FROM {quoted(other.db_table)} d WHERE d.{quoted(relation.field.column)} "
                      f"= r.{quoted(relation.field.target_field.column)})"))
    return found


def referenced_by(cursor, kind: Kind, pk) -> list[str]:
    """What refers to one stored record, as phrases like "3 subscriptions" (empty when
    nothing does)."""
    found = []
    for relation in kind.model._meta.related_objects:
        if relation.many_to_many or not relation.field.concrete:
            continue
        other = relation.related_model._meta
        cursor.execute(f"SELECT count(*) FROM {quoted(other.db_table)} d JOIN {kind.table} r "
                       f"ON d.{quoted(relation.field.column)} = r.{quoted(relation.field.target_field.column)} "
                       f"WHERE r.{quoted(kind.model._meta.pk.column)} = %s", [pk])
        count = cursor.fetchone()[0]
        if count:
            found.append(f"{count:,} {other.verbose_name if count == 1 else other.verbose_name_plural}")
    return found


def delete_record(cursor, kind: Kind, pk) -> int:
    """Delete one stored record, keeping its before-image (``begin_changes`` first)."""
    cursor.execute(f"""
        WITH gone AS (DELETE FROM {kind.table} AS r WHERE r.{quoted(kind.model._meta.pk.column)} = %s RETURNING r.*),
        kept AS (INSERT INTO {CHANGES} (key, before) SELECT {_before_key(kind, "gone")} FROM gone)
        SELECT count(*) FROM gone""", [pk])
    return cursor.fetchone()[0]


@dataclass
class Reverted:
    removed: int = 0     # records the import created, deleted again
    restored: int = 0    # records it updated, set back (and created records others refer to, made bare)
    recreated: int = 0   # records it deleted, put back
    warnings: list[str] = field(default_factory=list)


def has_changes(cursor, data_import_id) -> bool:
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {ImportChange._meta.db_table} WHERE data_import_id = %s)",
                   [data_import_id])
    return cursor.fetchone()[0]


def revert(cursor, data_import_id, kind: Kind) -> Reverted:
    """Play the before-images of import ``data_import_id`` (of ``kind``) backwards:
    created records deleted, updated ones set back, deleted ones put back with their
    ids. The import's own kind first, then the bare customers it made (a customer
    someone else now refers to, or has filled in since, stays). Callers hold the
    kinds' locks and have checked that no later import of the kind is in the way."""
    changes = ImportChange._meta.db_table
    cursor.execute(f"SELECT DISTINCT key->>'kind' FROM {changes} WHERE data_import_id = %s", [data_import_id])
    touched = sorted((name for (name,) in cursor.fetchall()), key=lambda name: name != kind.name)
    done = Reverted()
    for name in touched:
        other = KINDS[name]
        own = other is kind
        of_kind = f"c.data_import_id = %s AND c.key->>'kind' = {literal(name)}"
        model = other.model._meta
        pk = quoted(model.pk.column)
        table = quoted(model.db_table)
        was = (f"FROM {changes} c CROSS JOIN LATERAL jsonb_populate_record(NULL::{table}, c.before) was "
               f"WHERE {of_kind} AND c.before IS NOT NULL")
        created = (f"EXISTS (SELECT 1 FROM {changes} c WHERE {of_kind} AND c.key->'created' IS NOT NULL "
                   f"AND r.{pk} BETWEEN (c.key->'created'->>0)::bigint AND (c.key->'created'->>1)::bigint)")
        if other.creates_customers:
            cursor.execute(_bare_customers(f"SELECT DISTINCT was.customer_id {was}", keep=False), [data_import_id])
            made, examples = cursor.fetchone()
            if made:
                done.warnings.append(f"{made:,} customer{'s' if made > 1 else ''} the restored {other.label.lower()} "
                                     f"name{'' if made > 1 else 's'} no longer existed and "
                                     f"{'were' if made > 1 else 'was'} made bare: {', '.join(examples or [])}.")
        referencing = _referencing(other)
        unreferenced = " AND ".join(f"NOT {condition}" for _, condition in referencing) or "TRUE"
        if own:
            cursor.execute(f"DELETE FROM {table} r WHERE {created} AND {unreferenced}", [data_import_id])
            done.removed += cursor.rowcount
            if referencing:
                bare = _bare_assignments(other)
                cursor.execute(f"UPDATE {table} r SET {bare} WHERE {created}", [data_import_id])
                if cursor.rowcount:
                    done.restored += cursor.rowcount
                    done.warnings.append(
                        f"{cursor.rowcount:,} {other.label.lower()} this import created "
                        f"{'are' if cursor.rowcount > 1 else 'is'} referred to by later records and "
                        f"{'were' if cursor.rowcount > 1 else 'was'} made bare instead of deleted.")
        else:
            still_bare = " AND r.is_bare" if any(f.name == "is_bare" for f in model.concrete_fields) else ""
            cursor.execute(f"DELETE FROM {table} r WHERE {created} AND {unreferenced}{still_bare}", [data_import_id])
            if cursor.rowcount:
                many = cursor.rowcount > 1
                done.warnings.append(f"{cursor.rowcount:,} bare {other.name if many else other.name.rstrip('s')} "
                                     f"this import had made {'were' if many else 'was'} removed too.")
        columns = [quoted(f.column) for f in model.concrete_fields if not f.primary_key]
        cursor.execute(f"UPDATE {table} r SET {', '.join(f'{c} = was.{c}' for c in columns)} "
                       f"{was} AND r.{pk} = was.{pk}", [data_import_id])
        restored = cursor.rowcount
        every = [pk, *columns]
        cursor.execute(f"INSERT INTO {table} ({', '.join(every)}) SELECT {', '.join(f'was.{c}' for c in every)} "
                       f"{was} AND NOT EXISTS (SELECT 1 FROM {table} r WHERE r.{pk} = was.{pk})", [data_import_id])
        if own:
            done.restored += restored
            done.recreated += cursor.rowcount
    return done


def _bare_assignments(kind: Kind) -> str:
    """SQL SET list: a record back to what a bare one holds (its key, nothing else)."""
    keys = {name for key in kind.keys for name in key.columns}
    parts = []
    for model_field in kind.model._meta.concrete_fields:
        if model_field.primary_key or model_field.column in keys:
            continue
        if model_field.column == "is_bare":
            value = "TRUE"
        else:
            default = model_field.get_default() if model_field.has_default() else (None if model_field.null else "")
            value = sql_value(default)
        parts.append(f"{quoted(model_field.column)} = {value}")
    return ", ".join(parts)


@dataclass(frozen=True)
class Load:
    table: str   # where the rows go: the kind's table, or the fresh copy swapped in afterwards
    empty: bool  # the table had no live row: every incoming row is new
    fresh: bool  # a fresh copy of the table (fresh_table.py)


@contextmanager
def bulk_load(cursor, model: type[models.Model], *, rows: int):
    """Where a load of ``rows`` rows goes. A large one (BULK_MIN_ROWS, and at least as
    many rows as the table holds) goes into a fresh copy of the table with no index,
    built afterwards from sorted keys and swapped in (fresh_table.py): readers of the
    table never wait for it. Anything else goes into the table, indexes and all."""
    table = model._meta.db_table
    cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {quoted(table)})")
    empty = cursor.fetchone()[0]
    stored = 0
    if not empty:
        cursor.execute("SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = %s::regclass", [table])
        stored = cursor.fetchone()[0]
    if rows < BULK_MIN_ROWS or rows < stored or not fresh_table.swappable(cursor, table):
        yield Load(table=table, empty=empty, fresh=False)
        return
    fresh = fresh_table.create(cursor, table, copy_rows=not empty)
    yield Load(table=fresh.name, empty=empty, fresh=True)
    fresh_table.swap_in(cursor, fresh)
