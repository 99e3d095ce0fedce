"""The downloadable template of each kind: the header and the two example rows of its
declaration, as CSV or XLSX. A template imports as it is (the tests check that)."""

from __future__ import annotations

import csv
import io

from metrics.imports.kinds import Kind

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def example_rows(kind: Kind) -> list[list[str]]:
    return [[column.examples[index] for column in kind.columns] for index in (0, 1)]


def template_csv(kind: Kind) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(kind.column_names)
    writer.writerows(example_rows(kind))
    return out.getvalue().encode("utf-8")


def template_xlsx(kind: Kind) -> bytes:
    """Cells are written as text, so a spreadsheet keeps 2024-01-15 and 0042 as typed."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = kind.name
    sheet.append(kind.column_names)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in example_rows(kind):
        sheet.append(row)
    for cells in sheet.iter_cols(min_row=2):
        for cell in cells:
            cell.number_format = "@"
    for index, name in enumerate(kind.column_names, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = max(14, len(name) + 4)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
