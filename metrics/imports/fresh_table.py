"""A large load written into a fresh copy of a kind's table, swapped in at the end, so
that nobody reading the tenant's data waits for it.

Loading a million rows into a table with its indexes and foreign keys in place costs
about three times the load (every row goes into every index, and every foreign key is
checked row by row); dropping them around the load, as PostgreSQL's "Populating a
Database" advises, takes an ACCESS EXCLUSIVE lock that every reader (pages, the data
API, the KPI recompute) then waits on until the import commits (docs/benchmarks.md,
"Imports without blocking readers"). Here the table's readers keep reading the
table as it was while the rows go into a fresh one that has no index yet
(``create``, with the stored rows copied first when there are any); ``swap_in`` then
builds the fresh table's indexes and constraints from the old one's own definitions,
and only then takes the ACCESS EXCLUSIVE lock, for the moment it takes to drop the
old table and give the fresh one its name, its indexes' names and its identity
sequence's name, and to point the other tables' foreign keys at it. All of it runs in
the import's transaction: a failure or a killed worker leaves the old table as it was,
and the fresh one never existed.

While the fresh table is loaded, the old one is held in SHARE ROW EXCLUSIVE mode,
which readers never wait on but writers do: a write made to the old table meanwhile
would be lost with it. (Every writer of a kind's data holds that kind's import lock
anyway, writing.lock_kinds.)

A table with anything a copy made with ``LIKE`` would not carry (triggers, row-level
security, rules, views over it, grants, storage options, inheritance) is not swapped:
``swappable`` says no and the load goes into the table in place, indexes and all.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from django.db import OperationalError, transaction

from metrics.imports.sql import literal, quoted

# How long the swap waits for the readers in front of it before it steps back and
# lets the queue behind it through; the last attempt waits as long as it takes.
SWAP_LOCK_TIMEOUT_MS = 200
SWAP_LOCK_ATTEMPTS = 20


@dataclass
class Fresh:
    table: str                # the kind's table
    name: str                 # the fresh copy the rows go to
    # (name, CREATE INDEX ... or constraint definition) of the old table, to rebuild
    indexes: list[tuple[str, str]] = field(default_factory=list)       # not owned by a constraint
    keys: list[tuple[str, str]] = field(default_factory=list)          # primary key, unique constraints
    foreign_keys: list[tuple[str, str]] = field(default_factory=list)  # this table's, to others
    referencing: list[tuple[str, str, str]] = field(default_factory=list)  # (table, name, definition)
    renames: list[tuple[str, str, str]] = field(default_factory=list)  # (kind of object, temporary, own name)

    def temporary_name(self) -> str:
        """A name free in the schema while the old table keeps its own."""
        return f"{self.name}_{len(self.renames)}"

    @property
    def quoted(self) -> str:
        return quoted(self.name)


def swappable(cursor, table: str) -> bool:
    """Whether a copy of ``table`` made with LIKE (columns, defaults, identity, checks)
    plus its indexes and constraints rebuilt would be the same table."""
    cursor.execute("""
        SELECT c.relkind = 'r' AND c.relacl IS NULL AND c.reloptions IS NULL AND NOT c.relrowsecurity
           AND NOT c.relhasrules AND NOT c.relhassubclass AND NOT c.relispartition
           AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal)
           AND NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid)
           AND NOT EXISTS (SELECT 1 FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
                           WHERE d.classid = 'pg_rewrite'::regclass AND d.refobjid = c.oid
                             AND r.ev_class <> c.oid)
           AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conrelid = c.oid
                             AND f.confrelid = c.oid)
        FROM pg_class c WHERE c.oid = %s::regclass""", [table])
    return cursor.fetchone()[0]


def create(cursor, table: str, *, copy_rows: bool) -> Fresh:
    """An empty copy of ``table`` without indexes or foreign keys, its identity
    continuing the table's; with ``copy_rows``, the stored rows copied in (ids kept)
    and its keys built, so that the load's updates and anti-joins find them."""
    cursor.execute(f"LOCK TABLE {quoted(table)} IN SHARE ROW EXCLUSIVE MODE")
    cursor.execute("SELECT oid FROM pg_class WHERE oid = %s::regclass", [table])
    fresh = Fresh(table=table, name=f"bulk_load_{cursor.fetchone()[0]}")
    cursor.execute("""SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x
                      JOIN pg_class i ON i.oid = x.indexrelid
                      WHERE x.indrelid = %s::regclass
                        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid
                                          AND c.conrelid = x.indrelid)
                      ORDER BY i.relname""", [table])
    fresh.indexes = cursor.fetchall()
    cursor.execute("""SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
                      WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'x')
                      ORDER BY contype, conname""", [table])
    fresh.keys = cursor.fetchall()
    cursor.execute("""SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
                      WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname""", [table])
    fresh.foreign_keys = cursor.fetchall()
    cursor.execute("""SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
                      WHERE confrelid = %s::regclass AND contype = 'f' AND conrelid <> confrelid
                      ORDER BY 1, 2""", [table])
    fresh.referencing = cursor.fetchall()
    cursor.execute(f"DROP TABLE IF EXISTS {fresh.quoted}")
    cursor.execute(f"CREATE TABLE {fresh.quoted} (LIKE {quoted(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
                   f"INCLUDING GENERATED INCLUDING IDENTITY INCLUDING STORAGE INCLUDING COMPRESSION "
                   f"INCLUDING COMMENTS)")
    for own, copy in _sequences(cursor, fresh):
        # The fresh identity goes on from the old one: undo records keep ranges of ids.
        cursor.execute(f"SELECT last_value, is_called FROM {own}")
        last, called = cursor.fetchone()
        cursor.execute("SELECT setval(%s::regclass, %s, %s)", [copy, last, called])
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    if copy_rows:
        cursor.execute(f"INSERT INTO {fresh.quoted} OVERRIDING SYSTEM VALUE SELECT * FROM {quoted(table)}")
        build_keys(cursor, fresh)
    return fresh


def _sequences(cursor, fresh: Fresh) -> list[tuple[str, str]]:
    """(the old table's sequence, the fresh table's) for each identity or serial column."""
    cursor.execute("""SELECT pg_get_serial_sequence(%s, a.attname), pg_get_serial_sequence(%s, a.attname)
                      FROM pg_attribute a WHERE a.attrelid = %s::regclass AND a.attnum > 0
                        AND NOT a.attisdropped AND pg_get_serial_sequence(%s, a.attname) IS NOT NULL""",
                   [quoted(fresh.table), fresh.quoted, fresh.table, quoted(fresh.table)])
    return cursor.fetchall()


def build_keys(cursor, fresh: Fresh) -> None:
    """The primary key, unique constraints and unique indexes, under temporary names
    (once)."""
    keys, fresh.keys = fresh.keys, []
    for name, definition in keys:
        _add_constraint(cursor, fresh, name, definition)
    unique = [(name, definition) for name, definition in fresh.indexes if definition.startswith("CREATE UNIQUE ")]
    fresh.indexes = [index for index in fresh.indexes if index not in unique]
    for name, definition in unique:
        _add_index(cursor, fresh, name, definition)


def _add_constraint(cursor, fresh: Fresh, name: str, definition: str) -> None:
    temporary = fresh.temporary_name()
    cursor.execute(f"ALTER TABLE {fresh.quoted} ADD CONSTRAINT {quoted(temporary)} {definition}")
    fresh.renames.append(("constraint", temporary, name))


def _add_index(cursor, fresh: Fresh, name: str, definition: str) -> None:
    """``definition`` is the old index's CREATE INDEX: the same on the fresh table."""
    temporary = fresh.temporary_name()
    unique = "UNIQUE " if definition.startswith("CREATE UNIQUE ") else ""
    method_and_columns = definition[definition.index(" USING "):]
    cursor.execute(f"CREATE {unique}INDEX {quoted(temporary)} ON {fresh.quoted}{method_and_columns}")
    fresh.renames.append(("index", temporary, name))


def swap_in(cursor, fresh: Fresh) -> None:
    """Build what the fresh table lacks, then, under a brief ACCESS EXCLUSIVE lock,
    put it in the old table's place under the old names."""
    build_keys(cursor, fresh)
    for name, definition in fresh.indexes:
        _add_index(cursor, fresh, name, definition)
    for name, definition in fresh.foreign_keys:
        _add_constraint(cursor, fresh, name, definition)
    cursor.execute(f"ANALYZE {fresh.quoted}")   # the recompute that follows plans with it
    sequences = _sequences(cursor, fresh)
    _lock_briefly(cursor, [quoted(fresh.table), *sorted({other for other, _, _ in fresh.referencing})])
    for other, name, _ in fresh.referencing:
        cursor.execute(f"ALTER TABLE {other} DROP CONSTRAINT {quoted(name)}")
    cursor.execute(f"DROP TABLE {quoted(fresh.table)}")   # no CASCADE: anything unforeseen fails the import
    cursor.execute(f"ALTER TABLE {fresh.quoted} RENAME TO {quoted(fresh.table)}")
    table = quoted(fresh.table)
    for kind, temporary, name in fresh.renames:
        if kind == "index":
            cursor.execute(f"ALTER INDEX {quoted(temporary)} RENAME TO {quoted(name)}")
        else:   # renames the index behind a key too
            cursor.execute(f"ALTER TABLE {table} RENAME CONSTRAINT {quoted(temporary)} TO {quoted(name)}")
    for own, copy in sequences:
        cursor.execute(f"ALTER SEQUENCE {copy} RENAME TO {quoted(_unqualified(own))}")
    for other, name, definition in fresh.referencing:
        cursor.execute(f"ALTER TABLE {other} ADD CONSTRAINT {quoted(name)} {definition}")


def _unqualified(name: str) -> str:
    """``schema.name`` (either part maybe quoted) -> name, unquoted."""
    last = name.rsplit(".", 1)[-1]
    return last[1:-1].replace('""', '"') if last.startswith('"') else last


def _lock_briefly(cursor, tables: list[str]) -> None:
    """ACCESS EXCLUSIVE on ``tables`` (SQL names), without making readers queue behind the swap
    for long: each attempt waits at most SWAP_LOCK_TIMEOUT_MS for the readers in front
    of it, then steps back (the readers queued behind it go through) and tries again."""
    statement = f"LOCK TABLE {', '.join(tables)} IN ACCESS EXCLUSIVE MODE"
    cursor.execute("SELECT current_setting('lock_timeout')")
    configured = cursor.fetchone()[0]
    for attempt in range(SWAP_LOCK_ATTEMPTS):
        last = attempt == SWAP_LOCK_ATTEMPTS - 1
        try:
            with transaction.atomic():
                cursor.execute(f"SET LOCAL lock_timeout = {literal(configured if last else f'{SWAP_LOCK_TIMEOUT_MS}ms')}")
                cursor.execute(statement)
            break
        except OperationalError:
            if last:
                raise
            time.sleep(SWAP_LOCK_TIMEOUT_MS / 1000 * (attempt + 1) / 4)
    cursor.execute("SELECT set_config('lock_timeout', %s, true)", [configured])
