"""Loading rows of text into a temporary staging table with PostgreSQL COPY.

This is the only place that loops over rows in Python: cells are picked by position
and streamed to ``COPY ... FROM STDIN`` in chunks (the progress is recorded between
chunks). Everything after it is set-based SQL over the staging table. The table is
TEMP: private to this database session, gone when it ends (a killed worker leaves
nothing behind).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator

from django.db import DatabaseError, connection

from metrics.imports.headers import HeaderMatch

STAGING = "import_staging"
CHUNK_ROWS = 100_000
# Staging a million rows wants more than the default 8 MB of temp buffers; the setting
# can only change before the session's first temporary table, hence best effort.
TEMP_BUFFERS = "256MB"


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def create_staging(cursor, match: HeaderMatch) -> None:
    if connection.get_autocommit():  # inside a transaction a refusal would abort it
        try:
            cursor.execute(f"SET temp_buffers = '{TEMP_BUFFERS}'")
        except DatabaseError:
            pass
    columns = ", ".join(f"{quoted(column.name)} text" for column in match.columns)
    cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
    cursor.execute(f"CREATE TEMP TABLE {STAGING} (line bigint NOT NULL, shape text, {columns})")


def stage_rows(cursor, match: HeaderMatch, rows: Iterator[tuple[int, list[str]]],
               progress: Callable[[int], None] | None = None, chunk: int = CHUNK_ROWS) -> int:
    """COPY every row into the staging table; returns how many were staged. A row with
    more non-empty cells than the header has is staged with a ``shape`` problem."""
    positions, width = match.positions, match.width
    needed = max(positions) + 1
    pick = operator.itemgetter(*positions) if len(positions) > 1 else (lambda cells: (cells[positions[0]],))
    names = ", ".join(["line", "shape", *(quoted(column.name) for column in match.columns)])
    statement = f"COPY {STAGING} ({names}) FROM STDIN"
    staged, exhausted = 0, False
    while not exhausted:
        with cursor.copy(statement) as copy:
            for _ in range(chunk):
                item = next(rows, None)
                if item is None:
                    exhausted = True
                    break
                line, cells = item
                count = len(cells)
                values = pick(cells) if count >= needed else [cells[i] if i < count else "" for i in positions]
                shape = None
                if count > width and any(cell.strip() for cell in cells[width:]):
                    shape = f"this row has {count} values but the header has {width} columns"
                copy.write_row((line, shape, *values))
                staged += 1
        if progress:
            progress(staged)
    return staged
