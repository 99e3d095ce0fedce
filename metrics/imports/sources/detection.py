"""Recognising a vendor export from the head of a file: its header, and the lines
allowed before it (data-contract.md, "Detection"). Only the first lines are read, so
detection costs the same for a 100 MB file as for a small one."""

from __future__ import annotations

import csv
import io
from typing import BinaryIO

from metrics.imports.reading import (JSON, XLSX, FileProblem, detect_delimiter, detect_format, open_table,
                                     normalise_header)
from metrics.imports.sources.declaring import Source

HEAD_BYTES = 64 * 1024
HEAD_ROWS = 40


def head_rows(file: BinaryIO, *, name: str = "") -> list[list[str]]:
    """The first rows of the file as cells, blank lines left out (the header and what
    comes before it). The file is left at its start."""
    head = file.read(HEAD_BYTES)
    file.seek(0)
    fmt = detect_format(name, head)
    if fmt in (XLSX, JSON):
        try:
            table = open_table(file, name=name)
            rows = [table.header]
            for _, cells in table.rows:
                rows.append(cells)
                if len(rows) >= HEAD_ROWS:
                    break
            return rows
        except FileProblem:
            return []
        finally:
            file.seek(0)
    text = head.decode("utf-8-sig", errors="replace")
    if len(head) == HEAD_BYTES:  # the last line may be cut short
        text = text.rsplit("\n", 1)[0]
    lines = [line for line in text.splitlines() if line.strip()][:HEAD_ROWS]
    rows = []
    for line in lines:
        try:
            rows.append(next(csv.reader(io.StringIO(line), delimiter=detect_delimiter(line))))
        except (csv.Error, StopIteration):
            rows.append([line])
    return rows


def matching(sources: list[Source], rows: list[list[str]]) -> list[Source]:
    """The sources whose header is in ``rows`` with only allowed lines before it,
    most specific first; a second reading of the same export after the first."""
    found = []
    # Each row's names once, not once per source: a 10 MB cell took 0.2 s to normalise,
    # 22 s over every source (issue 16).
    names = [{normalise_header(cell) for cell in cells} for cells in rows]
    for source in sources:
        for position, cells in enumerate(names):
            if source.matches(cells):
                if source.allows_before(rows[:position]):
                    found.append(source)
                break
    return sorted(found, key=lambda source: (-source.specificity, bool(source.same_export_as)))
