"""Dates outside the window KPI Hub accepts (KPIHUB_DATE_WINDOW: 1990-01-01 to ten
years past today) are row errors that name the window, in every date, datetime and
month column of every kind (issue 16, finding 2: an invoice dated 0001-01-01 or
9999-12-31 imported, and every recompute of the tenant failed from then on)."""

from __future__ import annotations

import pytest

from metrics.date_window import date_window
from metrics.imports.kinds import DATE, DATETIME, KINDS, MONTH
from metrics.models import Invoice
from tests.metrics.imports.builders import example_rows, import_records

DATED = [(kind.name, column.name, column.type) for kind in KINDS.values() for column in kind.columns
         if column.type in (DATE, DATETIME, MONTH)]


def written(day: str, kind_of_column: str) -> str:
    return {DATE: day, DATETIME: f"{day}T09:00:00", MONTH: day[:7]}[kind_of_column]


@pytest.mark.parametrize(("kind", "column", "type_"), DATED)
def test_a_date_outside_the_window_is_a_row_error_naming_it(kind, column, type_, in_acme):
    first, last = date_window()
    rows = example_rows(kind)
    rows[0][column], rows[1][column] = written("0001-01-01", type_), written("9999-12-31", type_)
    record = import_records(kind, rows, on_error="skip")
    outside = [error for error in record.errors if error["column"] == column
               and error["message"].startswith("outside the dates KPI Hub accepts")]
    assert [error["line"] for error in outside] == [2, 3], record.errors
    assert f"({first.isoformat()} to {last.isoformat()}; KPIHUB_DATE_WINDOW)" in outside[0]["message"]
    assert record.rows_rejected == 2


def test_the_window_runs_from_1990_to_ten_years_ahead_both_days_included(in_acme):
    first, last = date_window()
    assert first.isoformat() == "1990-01-01" and last.year - 10 == first.today().year
    rows = [{"invoice_id": f"W{n}", "date": day, "amount": "1"} for n, day in enumerate(
        ["1989-12-31", "1990-01-01", "1900-06-30", last.isoformat(), "2024-02-29"])]
    rows.append({"invoice_id": "W9", "date": (last.replace(day=1).replace(month=last.month % 12 + 1)
                                              if last.month < 12 else last.replace(year=last.year + 1, month=1,
                                                                                    day=1)).isoformat(),
                 "amount": "1"})
    record = import_records("invoices", rows, on_error="skip")
    assert sorted(error["line"] for error in record.errors) == [2, 4, 7], record.errors
    assert sorted(Invoice.objects.values_list("invoice_id", flat=True)) == ["W1", "W3", "W4"]


def test_the_window_is_a_setting(in_acme, settings):
    settings.KPIHUB_DATE_WINDOW = "2000-01-01,1"
    record = import_records("invoices", [{"invoice_id": "S1", "date": "1999-12-31", "amount": "1"}])
    assert record.status == "failed"
    assert "(2000-01-01 to " in record.errors[0]["message"]
