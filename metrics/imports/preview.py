"""What an import would do with a file, from its head only (api.md, ``POST
/api/v1/imports/preview/``; the Imports page's preview): the kind and source, the
header line, where each column of the kind comes from (with sample values and
suggestions), the first rows as they would be stored, and the problems.

Only the first ``HEAD_BYTES`` of a CSV or JSON file are read (an XLSX workbook is
read lazily, row by row, up to its first rows), so a preview costs the same for a
100 MB file as for a small one. The first rows go through the import's own path:
the source, the mapping, staging and the checking SQL, in a transaction that is
rolled back, so the values and the refusals shown are those the import would give.
"""

from __future__ import annotations

import datetime
import io
import itertools
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import BinaryIO

from django.db import connection, transaction

from metrics.imports import accounts, checking, coupons, mapping, sources, staging
from metrics.imports.casting import Options
from metrics.imports.headers import match_header
from metrics.imports.kinds import KINDS, Kind
from metrics.imports.pipeline import SESSION_SETTINGS
from metrics.imports.reading import (
    JSON,
    XLSX,
    FileProblem,
    Table,
    detect_format,
    normalise_header,
    open_table,
    records_table,
)
from metrics.imports.sql import STAGING, TYPED, default_of, quoted

HEAD_BYTES = 256 * 1024
ROWS = 20
SAMPLES = 5
# Rows read from the head for the notes on what a source drops (the shown rows are fewer).
HEAD_ROWS = 5_000
JSON_HEAD_RECORDS = 50


# --- The head of the file ------------------------------------------------------------------------

@dataclass
class Head:
    sample: BinaryIO      # what detection and reading see: the head (CSV, JSON) or the file (XLSX)
    table: Table
    size: int
    complete: bool        # the head is the whole file
    read: int             # bytes of the file in the head

    @property
    def header(self) -> list[str]:
        return self.table.header


def read_head(file: BinaryIO, *, name: str = "", size: int | None = None) -> Head:
    """The file's head as a table. Raises FileProblem when it cannot be read."""
    data = file.read(HEAD_BYTES)
    file.seek(0)
    if size is None:
        size = getattr(file, "size", None) or len(data)
    complete = len(data) < HEAD_BYTES or size <= HEAD_BYTES
    fmt = detect_format(name, data)
    if fmt == XLSX:
        return Head(sample=file, table=open_table(file, name=name), size=size, complete=True, read=size)
    if not complete:
        cut = data.rfind(b"\n") + 1
        data = data[:cut] if cut else data
    sample = io.BytesIO(data)
    sample.name = name
    if fmt == JSON and not complete:
        table = _json_head(data)
    else:
        table = open_table(sample, name=name)
        sample.seek(0)
    if not complete and table.estimated_rows:
        table.estimated_rows = round(table.estimated_rows * size / max(len(data), 1))
    return Head(sample=sample, table=table, size=size, complete=complete, read=len(data))


def _json_head(data: bytes) -> Table:
    """The first records of a JSON list cut short (the rest of the file is not read)."""
    text = data.decode("utf-8-sig", errors="ignore").lstrip()
    if not text.startswith("["):
        raise FileProblem("JSON must be a list of objects, one per record.")
    decoder, position, records = json.JSONDecoder(), 1, []
    while len(records) < JSON_HEAD_RECORDS:
        while position < len(text) and text[position] in " \t\r\n,":
            position += 1
        if position >= len(text) or text[position] == "]":
            break
        try:
            record, position = decoder.raw_decode(text, position)
        except ValueError:
            break
        records.append(record)
    return records_table(records)


# --- The preview ---------------------------------------------------------------------------------

@dataclass
class Preview:
    kind: str | None
    source: str
    header_line: int
    file_columns: list[str]       # what a mapping may name: the file's columns, or the source's
    columns: list[dict] = field(default_factory=list)
    mapping: dict = field(default_factory=dict)
    rows: list[dict] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    estimated_rows: int | None = None
    remembered: bool = False      # the mapping is the tenant's confirmed one for this header
    guessed: bool = False         # the kind was guessed from the column names, to be confirmed
    # A report's accounts (QuickBooks): each with its rows and the category it will get (accounts.listing).
    accounts: list[dict] = field(default_factory=list)
    # A Stripe subscriptions export's coupons: each with its subscriptions and value (coupons.listing).
    coupons: list[dict] = field(default_factory=list)

    @property
    def unconfirmed_accounts(self) -> list[str]:
        """Accounts the account map does not know and nobody chose a category for."""
        return [item["account"] for item in self.accounts if item["from"] == "not recognised"]

    @property
    def blocking(self) -> bool:
        """The import could not start or would refuse the whole file as it is."""
        return any(problem.get("blocking") for problem in self.problems)

    def as_json(self) -> dict:
        return {"kind": self.kind, "source": self.source or None, "header_line": self.header_line,
                "columns": self.columns, "mapping": self.mapping, "rows": self.rows,
                "problems": [{key: value for key, value in problem.items() if key != "blocking"}
                             for problem in self.problems],
                "notes": self.notes, "file_columns": self.file_columns, "estimated_rows": self.estimated_rows,
                "remembered": self.remembered, "guessed": self.guessed, "accounts": self.accounts,
                "coupons": self.coupons}


def problem(message: str, *, line: int = 1, column: str = "", value: str = "", blocking: bool = False) -> dict:
    return {"line": line, "column": column, "value": value, "message": message, "blocking": blocking}


def build(head: Head, *, kind: str | None, source: str, given: dict | None, date_format: str = "",
          amount_unit: str = "units", timezone: str = "UTC", currency: str = "USD",
          notes: list[str] | None = None, guessed: bool = False, choices=None, values=None) -> Preview:
    """The preview of ``head`` read as ``kind`` and ``source`` (both resolved by the
    caller; ``kind`` None when nothing says what the file holds). ``given`` is the
    mapping sent (None: the remembered one, else a proposal from the suggestions).
    ``choices`` are the categories of a report's accounts (accounts.py), ``values``
    those of a Stripe subscriptions export's coupons (coupons.py)."""
    table, notes = head.table, list(notes or [])
    result = Preview(kind=kind, source=source, header_line=table.header_line, file_columns=[],
                     estimated_rows=table.estimated_rows, guessed=guessed)
    if not head.complete:
        notes.append(f"The preview read the first {head.read // 1024:,} KB of {head.size / 1_000_000:,.1f} MB "
                     f"(about {table.estimated_rows or 0:,} rows in all); the import reads the whole file.")
    if kind is None:
        result.file_columns = _named(table.header)
        result.problems.append(problem(
            "Choose the kind of data: the file does not look like an export KPI Hub knows, and its columns "
            "match no kind.", line=table.header_line, blocking=True))
        result.notes = notes
        return result
    declared = KINDS[kind]
    raw_header = table.header
    if source and coupons.VALUES.names_in(source):
        table, source_notes = coupons.VALUES.apply(source, table, values)
    elif source:
        table, source_notes = accounts.CATEGORIES.apply(source, table, choices)
    else:
        source_notes = []
    result.file_columns = _named(table.header)
    saved = mapping.remembered(kind, raw_header, source)
    if given is not None:
        chosen = given
    elif saved is not None and saved.mapping:
        chosen, result.remembered = dict(saved.mapping), True
        notes.append(f"The mapping {mapping.confirmed(saved)} for this header is used "
                     f"({mapping.describe(declared, chosen) or 'the columns as named'}); an import without a "
                     f"mapping applies it too.")
    elif not source:
        chosen = mapping.proposed(declared, table.header)
        if chosen:
            notes.append(f"Suggested from the column names: {mapping.describe(declared, chosen)}. "
                         f"Confirm or change the mapping: an import without one takes only the columns "
                         f"named as in the {declared.label.lower()} template.")
    else:
        chosen = {}
    result.mapping = mapping.effective(declared, chosen, table.header)
    mapped, mapping_notes = mapping.apply(declared, chosen, table)
    if given is None and chosen:   # said above, as the suggestion or the remembered mapping
        mapping_notes = [note for note in mapping_notes if not note.startswith("Mapped the columns")]
    first, kept_notes = _first_rows(mapped)
    result.notes = notes + source_notes + mapping_notes + kept_notes
    result.columns = _columns(declared, source, result.mapping, first, table.header, saved)
    missing = [name for name in declared.required if result.mapping.get(name) is None]
    for name in missing:
        result.problems.append(problem(f"{name} is required: choose the file column it comes from, or a constant.",
                                       line=table.header_line, column=name, blocking=True))
    if first and not missing:
        try:
            checked = _checked(declared, mapped, first, date_format=date_format, amount_unit=amount_unit,
                               timezone=timezone, currency=currency)
        except FileProblem as error:
            result.problems.append(problem(str(error), line=table.header_line, blocking=True))
        else:
            result.rows, errors, checked_notes = checked
            result.problems += [problem(error["message"], line=error["line"], column=error["column"],
                                        value=error["value"]) for error in errors]
            result.notes += checked_notes
    else:
        result.rows = [{"line": line, "values": dict(zip(mapped.header, cells)), "problems": []}
                       for line, cells in _labelled(mapped, first)]
        if not first:
            result.problems.append(problem("The file has a header but no rows.", line=table.header_line))
    return result


def _named(header: list[str]) -> list[str]:
    return list(dict.fromkeys(str(cell).strip() for cell in header if str(cell).strip()))


def _first_rows(table: Table) -> tuple[list[tuple[int, list[str]]], list[str]]:
    """The first rows of the table, and the notes on the head (what the reader and a
    source skipped or dropped there). The rest of the head is read for those notes;
    a record cut short at the head's end is no problem of the file."""
    first = []
    try:
        for item in itertools.islice(table.rows, HEAD_ROWS):
            if len(first) < ROWS:
                first.append(item)
    except FileProblem:
        if not first:
            raise
    return first, table.notes


def _labelled(table: Table, rows: list[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
    """Rows as cells under ``table.header``'s named columns only."""
    named = [index for index, cell in enumerate(table.header) if cell]
    return [(line, [cells[index] if index < len(cells) else "" for index in named]) for line, cells in rows]


def _columns(kind: Kind, source: str, effective: dict, first, header: list[str], saved) -> list[dict]:
    offered = mapping.suggestions(kind, header, saved)
    positions = {}
    for position, cell in enumerate(header):
        positions.setdefault(normalise_header(cell), position)
    takes = {take.column: take.how for take in sources.SOURCES[source].takes} if source else {}
    columns = []
    for column in kind.columns:
        target = effective.get(column.name)
        if target is None:
            origin, samples = None, []
        elif isinstance(target, dict):
            origin, samples = {"value": target[mapping.CONSTANT]}, [target[mapping.CONSTANT]]
        else:
            position = positions[normalise_header(target)]
            origin = {"column": target}
            if source and normalise_header(target) in takes:
                origin["source"] = takes[normalise_header(target)]
            samples = list(dict.fromkeys(
                cells[position].strip() for _, cells in first if position < len(cells) and cells[position].strip()
            ))[:SAMPLES]
        columns.append({"name": column.name, "type": column.type_label, "required": column.required,
                        "from": origin, "samples": samples,
                        "suggestions": [{"column": item.column, "why": item.why}
                                        for item in offered[column.name]]})
    return columns


class _RollBack(Exception):
    pass


def _checked(kind: Kind, table: Table, first, *, date_format: str, amount_unit: str, timezone: str,
             currency: str) -> tuple[list[dict], list[dict], list[str]]:
    """The first rows through staging and the checking SQL, as the import runs them:
    (rows as stored, errors, notes on how values were read). Nothing stays: the
    transaction is rolled back."""
    match = match_header(kind, table.header, table.header_line)
    present = match.columns
    found: dict = {}
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in SESSION_SETTINGS:
                cursor.execute(statement)
            staging.create_staging(cursor, match)
            staging.stage_rows(cursor, match, iter(first))
            options = Options(date_format=date_format, timezone=timezone, currency=currency,
                              amount_unit=amount_unit,
                              decimal_comma=table.delimiter == ";" and checking.detect_decimal_comma(cursor, present))
            options, notes = checking.detect_layouts(cursor, present, options)
            checking.build_typed(cursor, kind, present, options)
            rejected = checking.collect_errors(cursor, kind, present, options)
            found["errors"] = checking.reported_errors(cursor) if rejected else []
            found["notes"] = notes + checking.value_notes(cursor, present) + \
                checking.cents_warnings(cursor, kind, present, options)
            names = ", ".join(f"t.{quoted(column.name)}" for column in present)
            texts = ", ".join(f"s.{quoted(column.name)}" for column in present)
            cursor.execute(f"SELECT t.line, {names}, {texts} FROM {TYPED} t JOIN {STAGING} s ON s.line = t.line "
                           f"ORDER BY t.line")
            found["rows"] = cursor.fetchall()
            absent = [column for column in kind.columns if column not in present]
            if absent:
                cursor.execute(f"SELECT {', '.join(default_of(column) for column in absent)}")
                found["defaults"] = dict(zip((column.name for column in absent), cursor.fetchone()))
            raise _RollBack
    except _RollBack:
        pass
    problems_by_line: dict[int, list[dict]] = {}
    for error in found["errors"]:
        problems_by_line.setdefault(error["line"], []).append(error)
    rows = []
    for line, *cells in found["rows"]:
        typed, texts = cells[:len(present)], cells[len(present):]
        bad = {error["column"] for error in problems_by_line.get(line, [])}
        values = {}
        for column in kind.columns:
            if column in present:
                index = present.index(column)
                values[column.name] = texts[index] if column.name in bad else json_value(typed[index])
            else:
                values[column.name] = json_value(found.get("defaults", {}).get(column.name))
        rows.append({"line": line, "values": values,
                     "problems": [error["message"] if not error["column"] else f"{error['column']}: {error['message']}"
                                  for error in problems_by_line.get(line, [])]})
    return rows, found["errors"], found["notes"]


def json_value(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value
