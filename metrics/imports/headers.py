"""Matching a file's header to a kind's columns (data-contract.md, "Headers")."""

from __future__ import annotations

from dataclasses import dataclass, field

from metrics.imports.kinds import Column, Kind
from metrics.imports.reading import FileProblem, normalise_header


@dataclass
class HeaderMatch:
    columns: list[Column]        # the kind's columns the file has, in declaration order
    positions: list[int]         # where each of them is in a row
    unknown: list[str]           # header cells that are not columns of the kind
    width: int                   # cells in the header
    # Of a kind that keeps extra columns: (position, attribute name) of the other cells.
    extra: list[tuple[int, str]] = field(default_factory=list)


def match_header(kind: Kind, header: list[str], header_line: int = 1) -> HeaderMatch:
    """Raises FileProblem when a required column is missing (naming the missing and
    the expected columns, and the line read as the header: after a preamble it may not
    be the one the person meant) or when a column appears twice."""
    seen: dict[str, int] = {}
    unknown, extra = [], []
    known = set(kind.column_names)
    for index, cell in enumerate(header):
        name = normalise_header(cell)
        if not name:
            continue
        if name in known:
            if name in seen:
                raise FileProblem(f"The column {name} appears twice (columns {seen[name] + 1} and "
                                  f"{index + 1}); keep one.")
            seen[name] = index
        else:
            unknown.append(str(cell).strip())
            if kind.keeps_extra_columns and name not in {attribute for _, attribute in extra}:
                extra.append((index, name[:100]))
    missing = [name for name in kind.required if name not in seen]
    if missing:
        raise FileProblem(
            f"Missing required column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}. "
            f"Line {header_line} was read as the header: {_cells(header)}. "
            f"The {kind.name} columns are: {', '.join(kind.column_names)} "
            f"(required: {', '.join(kind.required)}).")
    columns = [column for column in kind.columns if column.name in seen]
    return HeaderMatch(columns=columns, positions=[seen[column.name] for column in columns],
                       unknown=unknown, width=len(header), extra=extra)


def _cells(header: list[str], shown: int = 12, width: int = 40) -> str:
    cells = [str(cell).strip()[:width] for cell in header]
    text = ", ".join(f"“{cell}”" for cell in cells[:shown])
    return text + (f" and {len(cells) - shown} more" if len(cells) > shown else "")
