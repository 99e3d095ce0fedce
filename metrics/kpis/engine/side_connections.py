"""Run the families' statements on several database connections at once.

The families are independent read-only SELECTs over the tenant's tables; on a database
server with more than one core they finish sooner side by side than one after the
other. The caller's connection runs statements too; each extra ("side") connection
reads the very snapshot of the caller's transaction (``pg_export_snapshot`` / ``SET
TRANSACTION SNAPSHOT``) in the same tenant schema, so the figures are exactly those one
connection would have computed.

When the caller's transaction has already written something (a test case's fixtures, a
recompute inside an import's transaction), no other connection can see those rows, so
everything runs on the caller's connection, one statement after the other.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from django.conf import settings
from django.db import connection, transaction
from psycopg import sql

logger = logging.getLogger(__name__)

# A statement to run: (name, SQL text, parameters); its result is every row as a dict.
Statement = tuple[Hashable, str, dict[str, Any]]
Rows = list[dict[str, Any]]
NO_PARALLEL_WORKERS = "SET LOCAL max_parallel_workers_per_gather = 0"


@contextmanager
def one_snapshot(*, session: Sequence[str] = (), read_only: bool = False) -> Iterator[Any]:
    """A transaction whose every statement, here and on side connections, reads one
    snapshot (REPEATABLE READ), with the ``session`` SET LOCAL statements run; inside a
    caller's transaction, the caller's. Yields a cursor.

    SET TRANSACTION must be a transaction's first query, and django-tenants sets the
    search path with the first cursor of a connection or after a rollback (which undid
    it): a cursor taken before the transaction sets it outside, in autocommit."""
    outermost = not connection.in_atomic_block
    if outermost:
        with connection.cursor():
            pass
    with transaction.atomic(), connection.cursor() as cursor:
        if outermost:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ" + (" READ ONLY" if read_only else ""))
        for statement in session:
            cursor.execute(statement)
        yield cursor


def run_all(statements: Sequence[Statement], *, session: Sequence[str] = ()) -> dict[Hashable, Rows]:
    """Every statement's rows, by name. ``statements`` come largest first: each free
    connection takes the next one. ``session``: SET LOCAL statements the caller's
    transaction already ran, repeated on each side connection."""
    queue = list(reversed(statements))
    lock = threading.Lock()
    results: dict[Hashable, Rows] = {}
    errors: list[BaseException] = []

    def take() -> Statement | None:
        with lock:
            return queue.pop() if queue and not errors else None

    def work(cursor) -> None:
        while (statement := take()) is not None:
            name, text, params = statement
            results[name] = _fetch(cursor, text, params)

    threads = [threading.Thread(target=_guarded(_on_side_connection, errors), args=(where, session, work))
               for where in _side_connections(len(statements))]
    for thread in threads:
        thread.start()
    try:
        with connection.cursor() as cursor:
            _guarded(work, errors)(cursor)
    finally:
        for thread in threads:
            thread.join()
    if errors:
        raise errors[0]
    return results


def _side_connections(statements: int) -> list[tuple[dict[str, Any], str, str]]:
    """Where each side connection goes: (connection parameters, schema, snapshot to
    import). None when one connection will do, or when side connections could not see
    what the caller sees (uncommitted writes, or no transaction to share)."""
    wanted = min(settings.KPIHUB_KPI_CONNECTIONS - 1, statements - 1)
    if wanted < 1 or not connection.in_atomic_block:
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_xact_id_if_assigned() IS NULL")
        if not cursor.fetchone()[0]:
            return []
        # The connections share the cores already: a statement's own parallel workers
        # would only compete with them.
        cursor.execute(NO_PARALLEL_WORKERS)
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
    # Read here: ``connection`` is per thread, a side thread's would be another one.
    return [(connection.get_connection_params(), connection.schema_name, snapshot)] * wanted


def _on_side_connection(where: tuple[dict[str, Any], str, str], session: Sequence[str],
                        work: Callable) -> None:
    params, schema, snapshot = where
    try:
        side = psycopg.connect(**params, autocommit=True)
    except psycopg.OperationalError as error:
        # No room for another connection: the others take its share of the work.
        logger.warning("KPI recompute without a side connection: %s", error)
        return
    with side:
        side.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        side.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot)))
        side.execute(sql.SQL("SET LOCAL search_path TO {}, public").format(
            sql.Identifier(schema)))
        for statement in [*session, NO_PARALLEL_WORKERS]:
            side.execute(statement)
        with side.cursor() as cursor:
            work(cursor)
        side.execute("COMMIT")


def _guarded(function: Callable, errors: list[BaseException]) -> Callable:
    """``function``, recording its exception instead of losing it in a thread."""
    def run(*args) -> None:
        try:
            function(*args)
        except BaseException as error:  # noqa: BLE001 - re-raised by run_all
            errors.append(error)
    return run


def _fetch(cursor, text: str, params: dict[str, Any]) -> Rows:
    cursor.execute(text, params)
    columns = [column.name for column in cursor.description]
    return [dict(zip(columns, row)) for row in cursor.fetchall()]
