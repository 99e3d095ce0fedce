"""Turning an uploaded file into a header and a stream of rows of text cells.

Files are streamed: CSV through the ``csv`` module over a decoding wrapper, XLSX
through openpyxl's read-only mode (after checking what the archive would expand to),
JSON as a list of objects. Nothing here knows the data kinds; whole-file problems
(not UTF-8, not a spreadsheet, no header, a zip bomb) raise ``FileProblem`` with a
message for the person who uploaded it.

A CSV file so plain that PostgreSQL's own CSV parser reads it exactly as the ``csv``
module would (no quotes, no blank or odd lines: see ``PlainCsv``) is also offered as
bytes, so staging can hand it to ``COPY`` whole instead of row by row.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

CSV, XLSX, JSON = "csv", "xlsx", "json"
DELIMITERS = (",", ";", "\t")
# An XLSX is a zip archive; refuse one that would expand far beyond its size (zip bomb).
XLSX_MAX_EXPANDED_BYTES = 1024 * 1024 * 1024
XLSX_MAX_RATIO = 200
SNIFF_BYTES = 64 * 1024


class FileProblem(Exception):
    """The whole file cannot be read; the message says why in plain words."""


# A data line starting with one of these bytes might be blank (the csv path skips rows
# whose cells are all whitespace, and Python's whitespace includes multibyte spaces
# whose UTF-8 starts with \xc2, \xe1, \xe2 or \xe3), a line break of its own, or
# PostgreSQL's end-of-data marker ``\.``. Any of them keeps the file off the COPY path.
SUSPECT_LINE_START = re.compile(rb"\n[\n\r\t ,;\\\x0b\x0c\x1c-\x1f\xc2\xe1\xe2\xe3]")


@dataclass
class PlainCsv:
    """Where the data lines of a plain CSV file start. Plain means: no double quote
    anywhere (so a record is exactly one line and no cell hides a delimiter) and no
    data line that starts with a delimiter, whitespace or a backslash (so no line is
    blank). Then every line after the header is one row, in order, and ``COPY ...
    (FORMAT csv)`` splits it into the same cells as ``csv.reader``. Anything else the
    two could disagree on (bad UTF-8, ragged rows, stray carriage returns, NUL bytes)
    makes COPY fail, and staging falls back to the ``csv`` module."""

    file: BinaryIO
    start: int          # byte offset of the first data line
    delimiter: str
    # No space, no tab that is not the delimiter, no carriage return but in line
    # breaks: no cell can start or end with whitespace, so checking need not trim.
    trimmed: bool = False


@dataclass
class Table:
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]   # (line number in the file, cells)
    format: str
    delimiter: str | None = None
    estimated_rows: int | None = None
    plain: PlainCsv | None = None


def normalise_header(cell: str) -> str:
    """`` Customer-ID `` -> ``customer_id`` (data-contract: case, spaces and hyphens)."""
    text = str(cell).replace("\ufeff", "").strip().lower()
    return re.sub(r"[\s\-]+", "_", text)


def detect_format(name: str, head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return XLSX
    stripped = head.lstrip(codecs.BOM_UTF8).lstrip()
    if name.lower().endswith(".json") or stripped.startswith(b"["):
        return JSON
    return CSV


def open_table(file: BinaryIO, *, name: str = "") -> Table:
    """Read ``file`` (binary, seekable) as CSV, XLSX or JSON, chosen by content."""
    head = file.read(SNIFF_BYTES)
    file.seek(0)
    if not head.strip(codecs.BOM_UTF8 + b" \t\r\n"):
        raise FileProblem("The file is empty.")
    kind = detect_format(name, head)
    if kind == XLSX:
        return _xlsx_table(file)
    if kind == JSON:
        try:
            records = json.loads(file.read().decode("utf-8-sig"))
        except (ValueError, UnicodeDecodeError) as error:
            raise FileProblem(f"The file is not valid JSON: {error}.") from None
        return records_table(records)
    return _csv_table(file, head)


# --- CSV ------------------------------------------------------------------------------------

def _csv_table(file: BinaryIO, head: bytes) -> Table:
    if b"\x00" in head:
        raise FileProblem("This does not look like a CSV file (it contains binary data). "
                          "Upload CSV (UTF-8), XLSX or JSON.")
    try:
        first_line = head.decode("utf-8-sig", errors="strict").splitlines()[0]
    except UnicodeDecodeError:
        # The sniffed block may end inside a character; only the first line must decode.
        first_line = head.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace")
        if "\ufffd" in first_line:
            raise FileProblem("The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.") from None
    delimiter = detect_delimiter(first_line)
    lines, plain, trimmed = _scan_lines(file, delimiter)
    text, _, header = _csv_reader(file, delimiter)
    text.detach()  # the rows are read afresh, from the start of the file
    file.seek(0)
    if not header or not any(cell.strip() for cell in header):
        raise FileProblem("The first line must be the header (the column names).")
    start = head.find(b"\n") + 1
    plain_csv = PlainCsv(file=file, start=start, delimiter=delimiter, trimmed=trimmed) if plain and start else None
    return Table(header=header, rows=_csv_rows(file, delimiter), format=CSV, delimiter=delimiter,
                 estimated_rows=max(lines - 1, 0), plain=plain_csv)


def detect_delimiter(line: str) -> str:
    """The delimiter that splits the header line most often (outside quotes)."""
    unquoted = re.sub(r'"[^"]*"', "", line)
    counts = {delimiter: unquoted.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _scan_lines(file: BinaryIO, delimiter: str) -> tuple[int, bool, bool]:
    """The number of lines (a cheap row estimate for the progress bar; quoted line
    breaks make it high), whether the file is plain and whether its cells are trimmed
    (see ``PlainCsv``). Only byte searches, so cheap next to the import itself."""
    count, last, plain, trimmed, header = 0, b"\n", True, True, True
    spaces = (b" ",) if delimiter == "\t" else (b" ", b"\t")
    while chunk := file.read(1 << 20):
        if chunk.endswith(b"\r"):  # keep a CR LF line break in one piece
            chunk += file.read(1)
        count += chunk.count(b"\n")
        if plain:
            plain = b'"' not in chunk and not SUSPECT_LINE_START.search(last + chunk)
        if trimmed:
            cells = chunk[chunk.find(b"\n") + 1:] if header else chunk  # the header's names may have spaces
            trimmed = (not any(space in cells for space in spaces)
                       and (b"\r" not in cells or cells.count(b"\r") == cells.count(b"\r\n")))
        last, header = chunk[-1:], False
    file.seek(0)
    return count + (last != b"\n"), plain, plain and trimmed


def _csv_reader(file: BinaryIO, delimiter: str):
    """(text stream, csv reader past the header, header) over the file from its start;
    a header that cannot be read is a FileProblem naming line 1."""
    file.seek(0)
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="", errors="strict")
    reader = csv.reader(text, delimiter=delimiter)
    try:
        return text, reader, next(reader, None)
    except (csv.Error, UnicodeDecodeError) as error:
        text.detach()  # closing the wrapper would close the upload
        raise FileProblem(_csv_problem(error, 1)) from None


def _csv_rows(file: BinaryIO, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """The data rows, read from the start of the file when first asked for (so a
    failed attempt to COPY the file whole can still fall back to them)."""
    _, reader, _ = _csv_reader(file, delimiter)  # the header was checked by _csv_table
    line = reader.line_num
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except (csv.Error, UnicodeDecodeError) as error:
            raise FileProblem(_csv_problem(error, reader.line_num + 1)) from None
        if any(cells) and not _blank(cells):
            yield line + 1, cells
        line = reader.line_num


def _blank(cells: list[str]) -> bool:
    return all(not cell.strip() for cell in cells)


def _csv_problem(error: Exception, line: int) -> str:
    if isinstance(error, UnicodeDecodeError):
        return (f"The file is not UTF-8 text (near line {line}). "
                "Save it as “CSV UTF-8” and upload it again.")
    return f"The file cannot be read as CSV near line {line}: {error}."


# --- XLSX -----------------------------------------------------------------------------------

def _xlsx_table(file: BinaryIO) -> Table:
    from openpyxl import load_workbook

    check_xlsx_expansion(file)
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
    except Exception as error:  # openpyxl raises many types for a damaged file
        raise FileProblem(f"The file is not a readable XLSX workbook ({error.__class__.__name__}).") from None
    if not header or not any(cell not in (None, "") for cell in header):
        raise FileProblem("The first row of the first sheet must be the header (the column names).")
    header_cells = [xlsx_text(cell) for cell in header]
    estimated = (sheet.max_row - 1) if sheet.max_row else None
    return Table(header=header_cells, rows=_xlsx_rows(rows, workbook), format=XLSX,
                 estimated_rows=estimated)


def check_xlsx_expansion(file: BinaryIO) -> None:
    try:
        archive = zipfile.ZipFile(file)
    except zipfile.BadZipFile:
        raise FileProblem("The file is not a readable XLSX workbook.") from None
    expanded = sum(info.file_size for info in archive.infolist())
    compressed = sum(info.compress_size for info in archive.infolist()) or 1
    if expanded > XLSX_MAX_EXPANDED_BYTES or expanded / compressed > XLSX_MAX_RATIO:
        raise FileProblem(f"The XLSX file would expand to {expanded // (1024 * 1024):,} MB, beyond "
                          f"the limit of {XLSX_MAX_EXPANDED_BYTES // (1024 * 1024):,} MB "
                          f"(or {XLSX_MAX_RATIO} times its size). Save it as CSV instead.")
    file.seek(0)


def _xlsx_rows(rows, workbook) -> Iterator[tuple[int, list[str]]]:
    try:
        for line, values in enumerate(rows, start=2):
            cells = [xlsx_text(value) for value in values]
            if not _blank(cells):
                yield line, cells
    finally:
        workbook.close()


def xlsx_text(value) -> str:
    """A spreadsheet cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time(0) else value.isoformat()
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


# --- JSON -----------------------------------------------------------------------------------

def records_table(records) -> Table:
    """A list of objects (the API's body or a .json file) as a table: the header is
    every key, in order of first appearance."""
    if not isinstance(records, list) or not all(isinstance(record, dict) for record in records):
        raise FileProblem("JSON must be a list of objects, one per record.")
    if not records:
        raise FileProblem("The list is empty.")
    header: dict[str, None] = {}
    for record in records:
        header.update(dict.fromkeys(str(key) for key in record))
    names = list(header)
    return Table(header=names, rows=_record_rows(records, names), format=JSON,
                 estimated_rows=len(records))


def _record_rows(records: Iterable[dict], names: list[str]) -> Iterator[tuple[int, list[str]]]:
    # JSON has no lines: record n is reported as "line" n + 1, as if the keys were a header.
    for number, record in enumerate(records, start=2):
        yield number, [json_text(record.get(name)) for name in names]


def json_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)
