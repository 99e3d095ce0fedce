"""Turning an uploaded file into a header and a stream of rows of text cells.

Files are streamed: CSV through the ``csv`` module over a decoding wrapper, XLSX
through openpyxl's read-only mode (after checking what the archive would expand to),
JSON as a list of objects. Nothing here knows the data kinds; whole-file problems
(not UTF-8, not a spreadsheet, no header, a zip bomb) raise ``FileProblem`` with a
message for the person who uploaded it.

A CSV file so plain that PostgreSQL's own CSV parser reads it exactly as the ``csv``
module would (no quotes, no blank or odd lines: see ``PlainCsv``) is also offered as
bytes, so staging can hand it to ``COPY`` whole instead of row by row.

Exports are read as they are (data-contract.md, "Lenient reading"): the header is the
first row that names columns after any preamble (``#`` comments, a report's title,
company and period lines, blank lines); repeats of the header, total rows and rows
with values only under unnamed columns (a report's section and footer labels) are
skipped. Each of these is listed in ``Table.notes``, never done silently.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import itertools
import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

CSV, XLSX, JSON = "csv", "xlsx", "json"
DELIMITERS = (",", ";", "\t")
# An XLSX is a zip archive; refuse one that would expand far beyond its size (zip bomb).
XLSX_MAX_EXPANDED_BYTES = 1024 * 1024 * 1024
XLSX_MAX_RATIO = 200
SNIFF_BYTES = 64 * 1024
# The header is looked for among the first records of a file.
HEAD_RECORDS = 50
LINES_LISTED = 10
COMMENT = "#"
# A cell that reads as a value (a number, an amount, a date), not a column name.
VALUE_LIKE = re.compile(r"^[-+(]?[$€£¥]?\s?[0-9][0-9.,:/ T+-]*\)?\s?[$€£¥%]?$")
TOTAL_ROW = re.compile(r"^total(\s|:|$)", re.IGNORECASE)


class FileProblem(Exception):
    """The whole file cannot be read; the message says why in plain words."""


# A data line starting with one of these bytes might be blank (the csv path skips rows
# whose cells are all whitespace, and Python's whitespace includes multibyte spaces
# whose UTF-8 starts with \xc2, \xe1, \xe2 or \xe3), a line break of its own, or
# PostgreSQL's end-of-data marker ``\.``. Any of them keeps the file off the COPY path,
# and so does a line that may be a total row (read by the csv path, which skips it).
SUSPECT_LINE_START = re.compile(rb"\n(?:[\n\r\t ,;\\\x0b\x0c\x1c-\x1f\xc2\xe1\xe2\xe3]|[Tt][Oo][Tt][Aa][Ll])")


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
    first_line: int = 2  # its line number (after a preamble, more than 2)
    # No space, no tab that is not the delimiter, no carriage return but in line
    # breaks: no cell can start or end with whitespace, so checking need not trim.
    trimmed: bool = False


@dataclass
class Skipped:
    """Lines the reader left out, by reason; filled while the rows are read."""

    preamble: list[int] = field(default_factory=list)   # before the header, not blank
    headers: list[int] = field(default_factory=list)    # the header row again
    totals: list[int] = field(default_factory=list)     # "Total ...", "TOTAL"
    labels: list[int] = field(default_factory=list)     # values only under unnamed columns
    # The latest label's text: in a report, the section (account) the next rows are under.
    section: str = ""


@dataclass
class Table:
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]   # (line number in the file, cells)
    format: str
    delimiter: str | None = None
    estimated_rows: int | None = None
    plain: PlainCsv | None = None
    header_line: int = 1
    skipped: Skipped = field(default_factory=Skipped)
    # Every cell of ``rows`` is already trimmed (no space, tab, CR or LF at either end),
    # so checking need not trim them again; only what made the rows can promise it.
    trimmed: bool = False

    @property
    def notes(self) -> list[str]:
        """What the reader skipped (complete once the rows have been read)."""
        skipped, notes = self.skipped, []
        if skipped.preamble:
            notes.append(f"Line {self.header_line} was read as the header; "
                         f"{_counted(skipped.preamble, 'line')} before it (a preamble or title) "
                         f"{_were(skipped.preamble)} skipped: {lines_listed(skipped.preamble)}.")
        for found, what in ((skipped.headers, "repeat{s} of the header row"),
                            (skipped.totals, "total row{s}"),
                            (skipped.labels, "row{s} with values only under unnamed columns "
                                             "(section or footer labels)")):
            if found:
                notes.append(f"Skipped {len(found):,} {what.format(s='s' if len(found) > 1 else '')}: "
                             f"{lines_listed(found)}.")
        return notes


def _counted(lines: list[int], noun: str) -> str:
    return f"{len(lines):,} {noun}{'s' if len(lines) > 1 else ''}"


def _were(lines: list[int]) -> str:
    return "were" if len(lines) > 1 else "was"


def lines_listed(lines: list[int]) -> str:
    """``line 3``, ``lines 3, 7 and 9``, ``lines 3, 7, ... 30 and 40 more``."""
    shown = [str(line) for line in lines[:LINES_LISTED]]
    if len(lines) > LINES_LISTED:
        return f"lines {', '.join(shown)} and {len(lines) - LINES_LISTED:,} more"
    if len(lines) == 1:
        return f"line {shown[0]}"
    return f"lines {', '.join(shown[:-1])} and {shown[-1]}"


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


# --- Finding the header and skipping what is not data -----------------------------------------

def find_header(records: list[list[str]]) -> int | None:
    """The index of the header among the first records of a file, None when there is
    none. Blank and comment (``#``) records come before it. The first other record is
    the header when most of its cells are names (not values) and it has two or more;
    else the header is the first record that names two or more columns and has no
    value at all, which passes over a report's title, company and period lines. A
    file with no such record has its header on its first record (one column)."""
    kept = [index for index, cells in enumerate(records) if not _blank(cells) and not _comment(cells)]
    if not kept:
        return None
    for position, index in enumerate(kept):
        cells = [cell.strip() for cell in records[index] if cell.strip()]
        values = sum(1 for cell in cells if VALUE_LIKE.match(cell))
        names = len(cells) - values
        if names > 1 and (not values or (position == 0 and names > values)):
            return index
    return kept[0]


def _comment(cells: list[str]) -> bool:
    # A first cell of "#" alone before other names is a column (Typeform's response token), not a comment.
    return bool(cells) and cells[0].lstrip().startswith(COMMENT) and not (
        cells[0].strip() == COMMENT and sum(1 for cell in cells if cell.strip()) > 1)


def _filtered(rows: Iterator[tuple[int, list[str]]], header: list[str],
              skipped: Skipped) -> Iterator[tuple[int, list[str]]]:
    """``rows`` without repeats of the header, total rows and rows whose values are
    all under unnamed columns; their lines are added to ``skipped``."""
    named = [index for index, cell in enumerate(header) if normalise_header(cell)]
    unnamed = len(named) < len(header)
    for line, cells in rows:
        first = cells[0].strip() if cells else ""
        if not first:
            first = next((cell.strip() for cell in cells if cell.strip()), "")
        if first[:1] in "tT" and TOTAL_ROW.match(first):
            skipped.totals.append(line)
        elif cells == header:
            skipped.headers.append(line)
        elif unnamed and not any(cells[index].strip() for index in named if index < len(cells)):
            skipped.labels.append(line)
            skipped.section = first
        else:
            yield line, cells


# --- CSV ------------------------------------------------------------------------------------

def _csv_table(file: BinaryIO, head: bytes) -> Table:
    if b"\x00" in head:
        raise FileProblem("This does not look like a CSV file (it contains binary data). "
                          "Upload CSV (UTF-8), XLSX or JSON.")
    try:
        lines = head.decode("utf-8-sig", errors="strict").splitlines()
    except UnicodeDecodeError:
        # The sniffed block may end inside a character; only the first line must decode
        # here (the rest is checked as it is read).
        lines = head.decode("utf-8-sig", errors="replace").splitlines()[:HEAD_RECORDS]
        if "\ufffd" in lines[0]:
            raise FileProblem("The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.") from None
    delimiter = _head_delimiter(lines[:HEAD_RECORDS])
    records = _head_records(file, delimiter)
    index = find_header([cells for _, cells, _ in records])
    if index is None:
        raise FileProblem("The file has no header (the column names) in its first lines.")
    header_line, header, header_end = records[index]
    skipped = Skipped(preamble=[line for line, cells, _ in records[:index] if not _blank(cells)])
    start, header_bytes = _data_start(head, header_end)
    count, plain, trimmed = _scan_lines(file, delimiter, start, header_bytes)
    plain = plain and all(normalise_header(cell) for cell in header)  # unnamed columns: labels to skip
    plain_csv = (PlainCsv(file=file, start=start, delimiter=delimiter, first_line=header_end + 1, trimmed=trimmed)
                 if plain else None)
    rows = _filtered(_csv_rows(file, delimiter, index + 1), header, skipped)
    return Table(header=header, rows=rows, format=CSV, delimiter=delimiter,
                 estimated_rows=max(count - header_end, 0), plain=plain_csv, header_line=header_line,
                 skipped=skipped)


def detect_delimiter(line: str) -> str:
    """The delimiter that splits the header line most often (outside quotes)."""
    unquoted = re.sub(r'"[^"]*"', "", line)
    counts = {delimiter: unquoted.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _head_delimiter(lines: list[str]) -> str:
    """The first line's delimiter, as always; when that line is blank, a comment or
    has no delimiter (a preamble or title), the delimiter of the first line that is
    split most often."""
    def splits(line: str) -> int:
        return max(re.sub(r'"[^"]*"', "", line).count(delimiter) for delimiter in DELIMITERS)

    lines = [line for line in lines if line.strip()]
    if not lines:
        return ","
    if not lines[0].lstrip().startswith(COMMENT) and splits(lines[0]):
        return detect_delimiter(lines[0])
    candidates = [line for line in lines if not line.lstrip().startswith(COMMENT)] or lines
    most = max(splits(line) for line in candidates)
    return detect_delimiter(next(line for line in candidates if splits(line) == most))


def _head_records(file: BinaryIO, delimiter: str) -> list[tuple[int, list[str], int]]:
    """The first records: (first line, cells, lines read by the end of the record)."""
    text, reader = _csv_reader(file, delimiter)
    records, line = [], 0
    try:
        for cells in reader:
            records.append((line + 1, cells, reader.line_num))
            line = reader.line_num
            if len(records) >= HEAD_RECORDS:
                break
    except (csv.Error, UnicodeDecodeError) as error:
        raise FileProblem(_csv_problem(error, line + 1)) from None
    finally:
        text.detach()  # closing the wrapper would close the upload
        file.seek(0)
    return records


def _data_start(head: bytes, header_end: int) -> tuple[int, bytes]:
    """The byte offset just after the header's last line (0 when it is not within
    ``head``) and the header line's bytes (to notice a repeat of it)."""
    position, previous = -1, 0
    for _ in range(header_end):
        previous = position + 1
        position = head.find(b"\n", previous)
        if position < 0:
            return 0, b""
    line = head[previous:position].rstrip(b"\r")
    return position + 1, line.removeprefix(codecs.BOM_UTF8)


def _scan_lines(file: BinaryIO, delimiter: str, start: int, header: bytes) -> tuple[int, bool, bool]:
    """The number of lines (a cheap row estimate for the progress bar; quoted line
    breaks make it high), whether the data lines (from byte ``start``) are plain and
    whether their cells are trimmed (see ``PlainCsv``). Only byte searches, so cheap
    next to the import itself."""
    count, offset, plain, trimmed = 0, 0, start > 0, True
    tail = b"\n"   # the end of the data read so far: a pattern may span two chunks
    repeat = b"\n" + header if header else None
    spaces = (b" ",) if delimiter == "\t" else (b" ", b"\t")
    while chunk := file.read(1 << 20):
        if chunk.endswith(b"\r"):  # keep a CR LF line break in one piece
            chunk += file.read(1)
        count += chunk.count(b"\n")
        data = chunk[max(start - offset, 0):]   # the preamble and the header are not copied
        offset += len(chunk)
        if plain and data:
            window = tail + data
            plain = (b'"' not in data and not SUSPECT_LINE_START.search(window)
                     and (repeat is None or repeat not in window))
        if trimmed and data:
            trimmed = (not any(space in data for space in spaces)
                       and (b"\r" not in data or data.count(b"\r") == data.count(b"\r\n")))
        if data:
            tail = (tail + data)[-len(repeat or b"\n"):]
    file.seek(0)
    return count + (tail[-1:] != b"\n" and offset > start), plain, plain and trimmed


def _csv_reader(file: BinaryIO, delimiter: str):
    """(text stream, csv reader) over the file from its start."""
    file.seek(0)
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="", errors="strict")
    return text, csv.reader(text, delimiter=delimiter)


def _csv_rows(file: BinaryIO, delimiter: str, skip: int) -> Iterator[tuple[int, list[str]]]:
    """The rows after the first ``skip`` records (the preamble and the header), read
    from the start of the file when first asked for (so a failed attempt to COPY the
    file whole can still fall back to them)."""
    _, reader = _csv_reader(file, delimiter)
    line = 0
    # One try around the loop, not one per row: the rows of a vendor export are read
    # here one by one. A row whose first cell has text is not blank (most rows).
    try:
        for cells in reader:
            if skip:
                skip -= 1
            elif cells and (cells[0].strip() or (any(cells) and not _blank(cells))):
                yield line + 1, cells
            line = reader.line_num
    except (csv.Error, UnicodeDecodeError) as error:
        raise FileProblem(_csv_problem(error, reader.line_num + 1)) from None


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
        rows = enumerate(sheet.iter_rows(values_only=True), start=1)
        head = [(line, [xlsx_text(value) for value in values])
                for line, values in itertools.islice(rows, HEAD_RECORDS)]
    except Exception as error:  # openpyxl raises many types for a damaged file
        raise FileProblem(f"The file is not a readable XLSX workbook ({error.__class__.__name__}).") from None
    index = find_header([cells for _, cells in head])
    if index is None:
        raise FileProblem("The first sheet has no header row (the column names) in its first rows.")
    header_line, header = head[index]
    skipped = Skipped(preamble=[line for line, cells in head[:index] if not _blank(cells)])
    estimated = (sheet.max_row - header_line) if sheet.max_row else None
    rows = _filtered(_xlsx_rows(head[index + 1:], rows, workbook), header, skipped)
    return Table(header=header, rows=rows, format=XLSX, estimated_rows=estimated,
                 header_line=header_line, skipped=skipped)


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


def _xlsx_rows(head: list[tuple[int, list[str]]], rows, workbook) -> Iterator[tuple[int, list[str]]]:
    try:
        for line, cells in head:
            if not _blank(cells):
                yield line, cells
        for line, values in rows:
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
