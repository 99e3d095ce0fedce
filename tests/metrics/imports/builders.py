"""Builders for import tests: files in every format, and running an import the way
the task does, inside the test's transaction."""

from __future__ import annotations

import csv
import io
import json

from django.core.files.uploadedfile import SimpleUploadedFile

from metrics.imports import running, services
from metrics.imports.kinds import KINDS
from metrics.models import DataImport


def csv_bytes(header: list[str], rows: list[list], *, delimiter: str = ",", bom: bool = False) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode()


def records_csv(records: list[dict], **options) -> bytes:
    header = list(dict.fromkeys(key for record in records for key in record))
    return csv_bytes(header, [[record.get(name, "") for name in header] for record in records], **options)


def xlsx_bytes(header: list[str], rows: list[list]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def text_file(lines: list[str], *, line_break: str = "\n") -> bytes:
    """A file written line by line, as an export with a preamble or footer is."""
    return (line_break.join(lines) + line_break).encode()


def upload(content: bytes, name: str = "data.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def import_file(kind: str, content: bytes, *, name: str = "data.csv", on_error: str = "reject",
                date_format: str = "", amount_unit: str = "units") -> DataImport:
    """Start an import and run its task body here (the test's transaction never commits,
    so the queued task is never sent)."""
    record = services.start_import(kind=kind, upload=upload(content, name), on_error=on_error,
                                   date_format=date_format, amount_unit=amount_unit)
    running.run_import(import_id=str(record.pk))
    record.refresh_from_db()
    record.job.refresh_from_db()
    return record


def import_records(kind: str, records: list[dict], **options) -> DataImport:
    return import_file(kind, records_csv(records), **options)


def example_rows(kind: str) -> list[dict]:
    """The two example rows of the kind's template."""
    columns = KINDS[kind].columns
    return [{column.name: column.examples[index] for column in columns} for index in (0, 1)]


def json_body(records: list[dict]) -> str:
    return json.dumps(records)
