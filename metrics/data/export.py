"""The stored records of a kind as CSV, safe to open in a spreadsheet: text that
starts with = + - @, a tab or a carriage return gets a leading apostrophe, so a value
like ``=HYPERLINK(...)`` stays text (CSV injection). Numbers are left alone: a
negative amount is a number, not a formula."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator

from metrics.data.selectors import as_text
from metrics.imports.kinds import Kind

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^[+-]?[0-9][0-9.,]*$")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.match(text):
        return "'" + text
    return text


class _Line:
    def write(self, text: str) -> str:
        return text


def csv_table(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    """Line by line, for a streaming response (memory flat in the number of rows);
    every text cell made safe to open in a spreadsheet."""
    writer = csv.writer(_Line())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([safe_cell(value) if isinstance(value, str) else value for value in row])


def csv_lines(kind: Kind, rows: Iterable[dict]) -> Iterator[str]:
    return csv_table(kind.column_names, ([text[name] for name in kind.column_names]
                                         for text in (as_text(kind, record) for record in rows)))
