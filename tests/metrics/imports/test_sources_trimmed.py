"""A source's table is trimmed, and says so, so that checking need not trim its cells
again: every value a source yields (taken, derived, extra or regrouped) is trimmed of
what checking would trim; a mapping's constant with blanks after a source is still
read trimmed. And the value readers' quick paths give the general path's answers."""

from __future__ import annotations

import io

import pytest
from django.db import connection

from metrics.imports import running, services, staging
from metrics.imports.headers import match_header
from metrics.imports.kinds import KINDS
from metrics.imports.reading import open_table
from metrics.imports.sources import applying
from metrics.imports.sources.declaring import Source, Take
from metrics.imports.sources.stripe import STRIPE_INVOICES
from metrics.imports.sources.values import date_of, difference, nonzero
from metrics.models import Invoice
from tests.metrics.imports import vendor_files
from tests.metrics.imports.builders import upload

# A declaration whose values come with blanks around them: made up, not a vendor's
# (the declared sources' takes read trimmed cells, so none of them shows it).
PADDED = Source(
    key="padded", name="Padded", vendor="Test", kind="invoices", documentation=(),
    recognise=("ref", "who"),
    takes=(
        Take("invoice_id", "ref, with a space after", lambda row: row.get("ref") + " "),
        Take("customer_id", "who, after a tab", lambda row: "\t" + row.get("who")),
        Take("date", "a constant with a line break", lambda row: "2024-01-05\r\n"),
        Take("amount", "a constant", lambda row: " 10.00 "),
    ),
    extra=lambda row: [{"invoice_id": f" {row.get('ref')}-refund\t", "customer_id": row.get("who"),
                        "date": "2024-01-06", "amount": "-10.00 "}],
)


def test_every_value_a_source_yields_is_trimmed_and_the_table_says_so():
    table = open_table(io.BytesIO(b"ref,who\nA1,cus_1\n"), name="padded.csv")
    applied, _ = applying.apply(PADDED, table)
    assert applied.trimmed
    assert list(applied.rows) == [(2, ["A1", "cus_1", "2024-01-05", "10.00"]),
                                  (2, ["A1-refund", "cus_1", "2024-01-06", "-10.00"])]


@pytest.mark.django_db
def test_a_source_table_is_staged_as_trimmed_and_a_file_read_row_by_row_is_not():
    kind = KINDS["invoices"]
    applied, _ = applying.apply(STRIPE_INVOICES,
                                open_table(io.BytesIO(vendor_files.stripe_invoices()), name="invoices.csv"))
    # Quotes keep a file off the COPY path: its rows are staged one by one, as read.
    quoted = open_table(io.BytesIO(b'invoice_id,customer_id,date,amount\n"I1",C1,2024-01-05, 10.00\n'),
                        name="quoted.csv")
    assert quoted.plain is None
    with connection.cursor() as cursor:
        from_source = staging.stage(cursor, match_header(kind, applied.header), applied)
        as_read = staging.stage(cursor, match_header(kind, quoted.header), quoted)
    assert from_source == (4, True)   # drafts and void invoices dropped
    assert as_read == (1, False)


@pytest.mark.usefixtures("in_acme")
def test_a_mapping_constant_with_blanks_after_a_source_is_read_trimmed():
    record = services.start_import(upload=upload(vendor_files.stripe_invoices(), "invoices.csv"),
                                   source="stripe_invoices", mapping={"status": {"value": " open "}})
    running.run_import(import_id=str(record.pk))
    record.refresh_from_db()
    assert record.status == "succeeded", record.errors
    assert set(Invoice.objects.values_list("status", flat=True)) == {"open"}


# The quick paths (an ISO timestamp's date as written; nothing to subtract from an
# amount already written as money) against values that must take the general path.
@pytest.mark.parametrize(("text", "date"), [
    ("2024-01-15 10:23", "2024-01-15"),
    ("2024-01-15T23:30:00-05:00", "2024-01-15"),       # the date as written, not in UTC
    ("2024-01-15 10:23:45.123 UTC", "2024-01-15"),
    (" 2024-01-15 ", "2024-01-15"),
    ("2024-02-29 10:00", "2024-02-29"),
    ("2023-02-29 10:00", "2023-02-29 10:00"),          # no such day: passed on for checking to report
    ("2024-04-31", "2024-04-31"),
    ("2024-01-15 24:00", "2024-01-15 24:00"),          # no such hour
    ("2024-01-15 23:59:60", "2024-01-15 23:59:60"),    # no such second
    ("0000-01-15", "0000-01-15"),                      # no year 0
    ("2024-1-15", "2024-1-15"),
    ("20240115", "2024-01-15"),
    ("٢٠٢٤-٠١-١٥", "2024-01-15"),                      # other digits: the general path reads them
    ("", ""),
])
def test_the_date_of_a_timestamp(text, date):
    assert date_of(text) == date


@pytest.mark.parametrize(("whole", "part", "result"), [
    ("120.00", "20.00", "100.00"),
    ("120.00", "", "120.00"),
    ("120.00", "0.00", "120.00"),
    ("012.50", "", "12.50"),        # rewritten as money
    ("12.5", "0", "12.50"),
    ("-0.00", "0.00", "-0.00"),
    ("1,250.00", "", "1250.00"),
    ("$49.00", "-1.00", "50.00"),
    ("n/a", "", "n/a"),             # unreadable: passed on for checking to report
])
def test_an_amount_less_another(whole, part, result):
    assert difference(whole, part) == result


@pytest.mark.parametrize(("text", "answer"), [("0.00", False), ("", False), ("-0", False), ("x", False),
                                              ("0.01", True), ("$1", True), ("-2.50", True)])
def test_whether_a_text_is_a_number_other_than_zero(text, answer):
    assert nonzero(text) is answer
