"""What a source declaration is made of (data-contract.md, "Real exports").

A ``Source`` is one vendor export, declared once: where its layout is documented,
how its header is recognised (the columns, and the lines allowed before it), which
rows it drops, and how each column of its kind is taken or derived from a row. Value
maps (statuses, channels, stages) are named tables on the declaration, so the docs and
the API can show them. Everything a source does to a file is said in the import's
notes: rows dropped (with their lines), values derived and mapped (with counts).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from metrics.imports.reading import normalise_header


@dataclass(frozen=True)
class Doc:
    url: str
    title: str
    documents: str     # what of the layout this page documents


@dataclass(frozen=True)
class Drop:
    """Rows for which ``when`` is true are not imported; the note says how many and
    which lines, with ``what`` as the rows' name ("draft invoices")."""

    what: str
    when: Callable[[Row], bool]
    why: str = ""


@dataclass(frozen=True)
class Take:
    """One column of the kind: ``value`` computes its text from a row. ``how`` says it
    in words (the docs, the API). A derived column (``derived=True``) is counted in the
    notes each time it gives a value that is not a plain copy of one cell."""

    column: str
    how: str
    value: Callable[[Row], str]
    derived: bool = False


@dataclass(frozen=True)
class Source:
    key: str
    name: str
    vendor: str
    kind: str
    documentation: tuple[Doc, ...]
    # Header columns that must all be present (the vendor's spelling); a tuple inside
    # is a set of alternatives, one of which must be present.
    recognise: tuple[str | tuple[str, ...], ...]
    takes: tuple[Take, ...]
    drops: tuple[Drop, ...] = ()
    maps: dict[str, dict[str, str]] = field(default_factory=dict)
    # Lines before the header must start with this (GA4's "#" preamble); "" = none.
    preamble: str = ""
    # Or: at most this many lines of any text before the header (a report's title,
    # company and period lines, as QuickBooks writes them).
    title_lines: int = 0
    # A row whose value here repeats the previous row's is a continuation of it
    # (Shopify: one row per line item, the order's figures on its first row).
    continuation: str = ""
    # Rows giving more than one record (a refund as its own negative invoice).
    extra: Callable[[Row], list[dict[str, str]]] | None = None
    # What the notes say about the file beyond drops and derivations, from the counts.
    remarks: Callable[[Counter], list[str]] | None = None
    # For a file whose rows are not one record each (the ECB's one row per day and one
    # column per currency, a month's rate made from its days): the rows kept after the
    # drops go through this, which yields (line, record) pairs in place of the takes'
    # one record per row. The takes still say what each column is (docs, API).
    regroup: Callable[[Iterator[Row]], Iterator[tuple[int, dict[str, str]]]] | None = None
    # Of a customers source: which of the file's other columns are the customer's own
    # named attributes (Stripe metadata, CRM properties; extra_columns.py keeps them).
    # A header cell in, the attribute's name out (normalised like any header), or None
    # for a column of the vendor's own that is not kept (each vendor's rule: docs/sources.md).
    attributes: Callable[[str], str | None] | None = None
    # This source reads the same export as the source named here, as another kind
    # (HubSpot's contacts as customers): without a kind chosen, detection prefers that one.
    same_export_as: str = ""

    @property
    def columns(self) -> list[str]:
        return [take.column for take in self.takes]

    def matches(self, names: set[str]) -> bool:
        """Whether a header (normalised names) has every recognising column."""
        return all(any(normalise_header(alt) in names for alt in _alternatives(item))
                   for item in self.recognise)

    def allows_before(self, rows: list[list[str]]) -> bool:
        """Whether these lines (non-blank) may come before the header."""
        if not rows:
            return True
        if self.title_lines:
            return len(rows) <= self.title_lines
        return bool(self.preamble) and all(
            (cells[0].strip() if cells else "").startswith(self.preamble) for cells in rows)

    @property
    def specificity(self) -> int:
        return len(self.recognise)

    def header_columns(self) -> list[str]:
        """The recognising columns as the vendor writes them (first alternative)."""
        return [_alternatives(item)[0] for item in self.recognise]


def _alternatives(item: str | tuple[str, ...]) -> tuple[str, ...]:
    return item if isinstance(item, tuple) else (item,)


class Row:
    """One data row read by the file's own column names (any spelling that
    normalises the same). ``counts`` is shared by the whole file: value maps and
    derivations count what they did there, for the notes. ``section`` is the label
    of the report section the row is under (a QuickBooks account), "" when none."""

    __slots__ = ("index", "cells", "line", "counts", "section")

    def __init__(self, index: dict[str, int], cells: list[str], line: int, counts: Counter, section: str = ""):
        self.index, self.cells, self.line, self.counts, self.section = index, cells, line, counts, section

    def get(self, *names: str) -> str:
        """The first of ``names`` the file has, trimmed ("" when none is there)."""
        for name in names:
            position = self.index.get(normalise_header(name))
            if position is not None:
                return self.cells[position].strip() if position < len(self.cells) else ""
        return ""

    def has(self, name: str) -> bool:
        return normalise_header(name) in self.index

    def mapped(self, table: dict[str, str], value: str, *, label: str, default: str | None = None) -> str:
        """``value`` through a value map (case-insensitive); a change is counted."""
        key = value.strip().lower()
        result = table.get(key, value if default is None else default)
        if value and result != value:
            self.counts[("map", label, value, result)] += 1
        return result

    def count(self, *what) -> None:
        self.counts[what] += 1
