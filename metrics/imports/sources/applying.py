"""Applying a source: the file's table in, a table in the kind's own columns out, row
by row (nothing holds the whole file), and the notes that say what was done.

The notes list is filled as the rows stream: the last notes (drops, derivations,
maps) are added when the last row has been read, which staging does before the
pipeline records the outcome.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from metrics.imports.excerpts import excerpt
from metrics.imports.kinds import KINDS
from metrics.imports.reading import FileProblem, Table, normalise_header
from metrics.imports.sources.declaring import Row, Source


class _Row(Row):
    """A ``Row`` that finds a column by the name a declaration asks for without
    normalising that name again on every row: the position of each name asked for is
    kept for the whole file (``positions``). The same answers as ``Row``, for the
    hot loop of a million-row export (docs/benchmarks.md, "Measurements behind the code")."""

    __slots__ = ("positions",)

    def __init__(self, index, cells, line, counts, section, positions):
        # The slots set directly: this runs once per row of the file.
        self.index, self.cells, self.line, self.counts, self.section = index, cells, line, counts, section
        self.positions = positions

    def get(self, *names: str) -> str:
        positions = self.positions
        for name in names:
            # Found on every row but the first: try costs less than a lookup with a default.
            try:
                position = positions[name]
            except KeyError:
                position = positions[name] = self.index.get(normalise_header(name))
            if position is not None:
                try:
                    return self.cells[position].strip()
                except IndexError:  # a short row
                    return ""
        return ""

    def has(self, name: str) -> bool:
        position = self.positions.get(name, _UNSEEN)
        if position is _UNSEEN:
            position = self.positions[name] = self.index.get(normalise_header(name))
        return position is not None


_UNSEEN = object()

# What checking would trim from each cell (casting.py's btrim). Every value a source
# yields is trimmed of these here, so the applied table is ``trimmed`` and checking
# does not trim every cell again; trimming the same characters keeps the
# values exactly as checking would have read them.
BLANKS = " \t\r\n"

# How far into the file the header may be (after a preamble).
HEADER_SEARCH_ROWS = 50
LINES_LISTED = 10


def apply(source: Source, table: Table) -> tuple[Table, list[str]]:
    """``table`` (as read from the file) read as ``source``. Raises FileProblem when
    the file does not have the source's header.

    The table returned keeps the reader's account of the file (its header line, and
    the preamble, total and label lines it skipped), so the import's notes say them
    as for any file; lines the source passed over to reach its header count as
    preamble there. Its values are trimmed (``Table.trimmed``)."""
    notes = [f"Read as {source.name} ({source.vendor})."]
    header, header_line, rows = _find_header(source, table)
    index: dict[str, int] = {}
    for position, cell in enumerate(header):
        index.setdefault(normalise_header(cell), position)
    kept, passed = attribute_columns(source, header)
    if passed:
        notes.append(f"Not kept as customer attributes (named like a {source.kind} column or like another "
                     f"kept column): {', '.join(excerpt(cell) for cell in passed)}.")
    stream = (_regrouped if source.regroup else _records)(source, index, rows, notes, reader=table,
                                                          kept=[position for position, _ in kept])
    # The kept columns follow the kind's, named by their attribute: the pipeline reads
    # them as the kind's extra columns (headers.match_header, extra_columns.py).
    return Table(header=[*source.columns, *(name for _, name in kept)], rows=stream, format=table.format,
                 estimated_rows=table.estimated_rows, header_line=header_line, skipped=table.skipped,
                 trimmed=True), notes


def attribute_columns(source: Source, header: list[str]) -> tuple[list[tuple[int, str]], list[str]]:
    """(position, attribute name) of the header cells ``source`` keeps as attributes,
    and the cells it would keep but cannot: one named like a column of the kind (it
    would be read as that column, and refused when its values do not fit) or like an
    attribute kept already (the first one wins)."""
    if source.attributes is None:
        return [], []
    reserved = set(KINDS[source.kind].column_names)
    kept: list[tuple[int, str]] = []
    passed: list[str] = []
    for position, cell in enumerate(header):
        name = source.attributes(str(cell))
        if name is None:
            continue
        # Named as the plain import names an extra column (headers.match_header).
        name = normalise_header(name)[:100]
        if not name:
            continue
        if name in reserved or any(name == other for _, other in kept):
            passed.append(str(cell).strip())
            continue
        kept.append((position, name))
    return kept, passed


def _find_header(source: Source, table: Table):
    """(the source's header, its line, the rows after it)."""
    names = {normalise_header(cell) for cell in table.header}
    if source.matches(names):
        return table.header, table.header_line, table.rows
    passed = [table.header_line]
    for _ in range(HEADER_SEARCH_ROWS):
        try:
            line, cells = next(table.rows)
        except StopIteration:
            break
        if source.matches({normalise_header(cell) for cell in cells}):
            table.skipped.preamble.extend(passed)
            return cells, line, table.rows
        passed.append(line)
    raise FileProblem(
        f"This file does not have the header of a {source.name} ({source.vendor}): it needs the "
        f"columns {', '.join(source.header_columns())}.")


def _records(source: Source, index: dict[str, int], rows: Iterator[tuple[int, list[str]]],
             notes: list[str], reader: Table, kept: list[int]) -> Iterator[tuple[int, list[str]]]:
    counts: Counter = Counter()
    dropped: dict[str, list[int]] = {}
    continuation_lines: list[int] = []
    previous = None
    positions: dict[str, int | None] = {}
    # Looked up once, not on every row.
    continuation, extra, skipped = source.continuation, source.extra, reader.skipped
    drops = [(drop.what, drop.when) for drop in source.drops]
    takes = [take.value for take in source.takes]
    columns = source.columns
    # A record a row gives beyond its own (``extra``) leaves the attributes as they are.
    no_attributes = [""] * len(kept)
    # One row object, moved from line to line: these declarations read a row while it
    # is handed to them and keep nothing of it (a regrouping source, which keeps rows,
    # goes through ``_regrouped``), so a new object per line buys nothing.
    row = _Row(index, [], 0, counts, "", positions)
    for line, cells in rows:
        row.cells, row.line = cells, line
        # The reader has read up to this row, so its latest label is this row's section.
        row.section = skipped.section
        if continuation:
            value = row.get(continuation)
            if value and value == previous:
                continuation_lines.append(line)
                continue
            previous = value
        for what, when in drops:
            if when(row):
                dropped.setdefault(what, []).append(line)
                break
        else:
            values = [take(row).strip(BLANKS) for take in takes]
            if kept:
                count = len(cells)
                values += [cells[position].strip(BLANKS) if position < count else "" for position in kept]
            yield line, values
            if extra:
                for record in extra(row):
                    yield line, [*(record.get(column, "").strip(BLANKS) for column in columns), *no_attributes]
    notes.extend(_closing_notes(source, counts, dropped, continuation_lines))


def _regrouped(source: Source, index: dict[str, int], rows: Iterator[tuple[int, list[str]]],
               notes: list[str], reader: Table, kept: list[int]) -> Iterator[tuple[int, list[str]]]:
    """A source whose records are not one per row (``Source.regroup``): the rows it
    keeps go through ``regroup``, which yields the records (none keeps attributes:
    a record made of several rows has no one row's cells to keep)."""
    counts: Counter = Counter()
    dropped: dict[str, list[int]] = {}

    def kept_rows() -> Iterator[Row]:
        for line, cells in rows:
            row = Row(index, cells, line, counts, reader.skipped.section)
            drop = next((drop for drop in source.drops if drop.when(row)), None)
            if drop is not None:
                dropped.setdefault(drop.what, []).append(line)
                continue
            yield row

    columns = source.columns
    no_attributes = [""] * len(kept)
    for line, record in source.regroup(kept_rows()):
        yield line, [*(record.get(column, "").strip(BLANKS) for column in columns), *no_attributes]
    notes.extend(_closing_notes(source, counts, dropped, []))


def _closing_notes(source: Source, counts: Counter, dropped: dict[str, list[int]],
                   continuation_lines: list[int]) -> list[str]:
    notes = []
    if continuation_lines:
        notes.append(f"Read {len(continuation_lines):,} continuation row{'s' if len(continuation_lines) > 1 else ''} "
                     f"as part of the row above (same {source.continuation}; {_lines(continuation_lines)}).")
    for drop in source.drops:
        lines = dropped.get(drop.what)
        if lines:
            why = f": {drop.why}" if drop.why else ""
            notes.append(f"Dropped {len(lines):,} {drop.what} ({_lines(lines)}){why}.")
    for take in source.takes:
        if take.derived and counts[("derived", take.column)]:
            notes.append(f"Derived {take.column} on {counts[('derived', take.column)]:,} "
                         f"row{'s' if counts[('derived', take.column)] > 1 else ''}: {take.how}.")
    for key in sorted(key for key in counts if key[0] == "map"):
        _, label, original, result = key
        notes.append(f"Mapped {label} “{excerpt(original)}” to “{excerpt(result)}” on {counts[key]:,} "
                     f"row{'s' if counts[key] > 1 else ''}.")
    if source.remarks:
        notes.extend(source.remarks(counts))
    return notes


def _lines(lines: list[int]) -> str:
    shown = ", ".join(str(line) for line in lines[:LINES_LISTED])
    more = f" and {len(lines) - LINES_LISTED:,} more" if len(lines) > LINES_LISTED else ""
    return f"line{'s' if len(lines) > 1 else ''} {shown}{more}"
