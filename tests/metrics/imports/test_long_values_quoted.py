"""A rejected cell of 10 MB is quoted back as an excerpt: its first 100 characters and
its length, in the import's stored errors, the imports API and the import's page, for
every kind (a JSON file, records posted as JSON), and a vendor's CSV export with cells
as long as CSV reading takes (128 KB; a longer one fails the file as unreadable)
(issue 16, finding 6: the whole cell was stored and every page of GET /api/v1/imports/
weighed 10.5 MB). rejected.csv keeps the cell whole: that file is for fixing the rows."""

from __future__ import annotations

import json

import pytest

from metrics.imports.excerpts import excerpt
from metrics.imports.kinds import KINDS
from metrics.models import DataImport
from tests.metrics.imports import vendor_files
from tests.metrics.imports.builders import csv_bytes, example_rows, import_file
from tests.metrics.imports.test_pages import browser_for
from tests.metrics.imports.test_sources_imports import import_as_is

TEN_MB = 10_000_000
# Starts like a value of any type and is none: too long for an id, no date, no number.
HUGE = "2024-01-15 " + "x" * (TEN_MB - 11)
QUOTED = HUGE[:100] + "… (10,000,000 characters)"
CSV_LONGEST = 131_000  # below the csv module's field limit of 131,072
LONG = HUGE[:CSV_LONGEST]
SMALL = 20_000  # bytes: a page of a few imports, each with a few errors, stays far below


def stored_size(record: DataImport) -> int:
    return len(json.dumps(record.errors)) + len(json.dumps(record.warnings)) + len(json.dumps(record.notes))


def test_an_excerpt_is_the_first_hundred_characters_and_the_length():
    assert excerpt("short") == "short"
    assert excerpt("y" * 100) == "y" * 100
    assert excerpt("y" * 101) == "y" * 100 + "… (101 characters)"


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_long_cell_is_stored_as_an_excerpt_in_every_kind(kind, in_acme):
    # Longer than any CSV cell (so JSON), short enough to keep the suite fast; 10 MB below.
    rows = example_rows(kind)
    first = KINDS[kind].columns[0].name
    rows[0][first] = HUGE[:200_000]
    record = import_file(kind, json.dumps(rows).encode(), name="records.json", on_error="skip")
    assert record.rows_rejected == 1, record.errors
    quoted = [error for error in record.errors if error["column"] == first]
    assert quoted and all(error["value"] == HUGE[:100] + "… (200,000 characters)" for error in quoted)
    assert stored_size(record) < SMALL


def test_ten_megabyte_cells_leave_the_imports_api_and_the_import_page_small(in_acme, acme_owner):
    rows = example_rows("invoices")
    rows[0]["invoice_id"], rows[1]["invoice_id"] = HUGE, HUGE[::-1]
    record = import_file("invoices", json.dumps(rows).encode(), name="records.json")
    assert [error["value"] for error in record.errors] == [QUOTED, HUGE[::-1][:100] + "… (10,000,000 characters)"]
    assert stored_size(record) < SMALL
    listed = acme_owner.get("/api/v1/imports/")
    assert listed.status_code == 200
    assert listed.json()["count"] == 1
    assert len(listed.content) < SMALL
    assert QUOTED in listed.content.decode()
    detail = acme_owner.get(f"/api/v1/imports/{record.pk}/")
    assert len(detail.content) < SMALL
    page = browser_for(in_acme, in_acme.owner_email).get(f"/imports/{record.pk}/")
    assert page.status_code == 200 and len(page.content) < 100_000
    rejected = acme_owner.get(f"/api/v1/imports/{record.pk}/rejected.csv")
    assert HUGE in b"".join(rejected.streaming_content).decode()


def test_a_vendor_exports_longest_csv_cells_are_quoted_as_excerpts(in_acme):
    content = vendor_files.stripe_invoices().replace(b"in_1", LONG.encode()).replace(
        b"uncollectible", b"paid_" + LONG.encode())
    record = import_as_is(content, "invoices.csv")
    assert record.source == "stripe_invoices"
    assert record.error_count == 2, record.errors
    assert LONG[:100] + "… (131,000 characters)" in [error["value"] for error in record.errors]
    assert all(len(error["value"]) < 200 for error in record.errors)
    assert stored_size(record) < SMALL


def test_records_posted_as_json_quote_an_excerpt(acme_owner, in_acme):
    response = acme_owner.post("/api/v1/data/invoices/?on_error=skip", [
        {"invoice_id": "OK-1", "date": "2024-02-01", "amount": 1},
        {"invoice_id": "BIG-1", "date": HUGE[:200_000], "amount": 1}], format="json")
    if response.status_code == 200:
        body = response.json()
        assert [(error["column"], error["value"]) for error in body["errors"]] == [
            ("date", HUGE[:100] + "… (200,000 characters)")]
        assert len(response.content) < SMALL
    else:  # refused whole as too large a request: fine, as long as it is said
        assert response.status_code in (400, 413), response.status_code


def test_a_ten_megabyte_mapping_constant_or_column_is_quoted_as_an_excerpt(in_acme):
    from metrics.imports import mapping

    problems = mapping.check(KINDS["invoices"], {"invoice_id": HUGE, HUGE: "x"}, ["id", "date"])
    assert problems and all(len(problem) < 1000 for problem in problems)
    assert mapping.describe(KINDS["invoices"], {"invoice_id": {"value": HUGE}}).endswith(
        "… (10,000,000 characters)” on every row")
    record = import_file("invoices", csv_bytes(["invoice_id", "date", "amount"], [["A", "2024-01-01", "1"]]))
    assert record.status == "succeeded"


def test_a_ten_megabyte_cell_in_a_date_column_is_one_rejected_row(in_acme):
    """The date layouts are read from the first rows' shapes; a cell far too long to be a
    date is not read as one (each shape's pattern ran over all of its 10 MB)."""
    rows = example_rows("invoices")
    rows[0]["date"] = HUGE
    record = import_file("invoices", json.dumps(rows).encode(), name="records.json", on_error="skip")
    assert record.rows_rejected == 1
    assert [(error["column"], error["value"]) for error in record.errors] == [("date", QUOTED)]
    assert record.rows_created == len(rows) - 1
