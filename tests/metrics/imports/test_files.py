"""Files as people send them: delimiters, BOMs, XLSX, decimal commas, date layouts,
odd headers, garbage; and what strict and skip modes do with bad rows."""

import csv
import io
import zipfile
from decimal import Decimal

import pytest

from metrics.imports import reading
from metrics.models import Customer, FxRate, Invoice, MetricValue, CustomMetric
from tests.metrics.imports.builders import csv_bytes, import_file, import_records, xlsx_bytes

INVOICE_HEADER = ["invoice_id", "customer_id", "date", "amount", "currency", "status"]


def test_skip_writes_the_good_rows_and_offers_the_rejected_ones_with_an_error_column(in_acme):
    record = import_file("invoices", csv_bytes(INVOICE_HEADER, [
        ["I1", "C1", "2024-01-05", "10.00", "", "paid"],
        ["I2", "C1", "2024-13-05", "=cmd|' /C calc'!A0", "", "paid"],
        ["I3", "C2", "2024-01-07", "7.5", "", "open"],
    ]), on_error="skip")
    assert record.status == "succeeded"
    assert (record.rows_total, record.rows_created, record.rows_rejected, record.error_count) == (3, 2, 1, 2)
    assert sorted(Invoice.objects.values_list("invoice_id", flat=True)) == ["I1", "I3"]
    rejected = list(csv.reader(io.StringIO(record.rejected_file.open("rb").read().decode())))
    assert rejected[0] == [*INVOICE_HEADER, "error"]
    assert rejected[1][0] == "I2"
    assert rejected[1][3] == "'=cmd|' /C calc'!A0", "formula-like cells are escaped"
    assert rejected[1][-1].startswith("line 3: date: not a date")


def test_reject_writes_nothing_and_still_offers_the_rejected_rows(in_acme):
    record = import_file("invoices", csv_bytes(INVOICE_HEADER, [
        ["I1", "C1", "2024-01-05", "10.00", "", "paid"], ["I2", "C1", "", "1", "", ""]]))
    assert record.status == "failed" and "nothing was imported" in record.reason
    assert not Invoice.objects.exists() and not Customer.objects.exists()
    assert record.rejected_file


def test_semicolon_file_with_bom_decimal_comma_and_day_first_dates(in_acme):
    content = csv_bytes(["Invoice ID", "Customer-ID", "Date", "Amount"], [
        ["I1", "C1", "31/01/2024", "1.234,56"], ["I2", "C1", "1/2/2024", "-7,5"]], delimiter=";", bom=True)
    record = import_file("invoices", content, date_format="DD/MM/YYYY")
    assert record.status == "succeeded", record.errors
    stored = {i.invoice_id: (i.date.isoformat(), i.amount) for i in Invoice.objects.all()}
    assert stored == {"I1": ("2024-01-31", Decimal("1234.56")), "I2": ("2024-02-01", Decimal("-7.50"))}


def test_tab_delimited_month_first_dates_and_grouped_thousands(in_acme):
    content = csv_bytes(INVOICE_HEADER, [["I1", "", "12/31/2024", "1,234.50", "", ""]], delimiter="\t")
    record = import_file("invoices", content, date_format="MM/DD/YYYY")
    assert record.status == "succeeded", record.errors
    invoice = Invoice.objects.get()
    assert (invoice.date.isoformat(), invoice.amount, invoice.status, invoice.customer_id) == (
        "2024-12-31", Decimal("1234.50"), "paid", None)


def test_xlsx_first_sheet_with_real_dates_and_numbers(in_acme):
    import datetime

    content = xlsx_bytes(INVOICE_HEADER, [["I1", "C1", datetime.datetime(2024, 3, 1), 19.99, None, "open"],
                                          ["I2", "C2", "2024-03-02", 5, "", None]])
    record = import_file("invoices", content, name="invoices.xlsx")
    assert record.status == "succeeded", record.errors
    assert {i.invoice_id: (i.date.isoformat(), i.amount, i.status) for i in Invoice.objects.all()} == {
        "I1": ("2024-03-01", Decimal("19.99"), "open"), "I2": ("2024-03-02", Decimal("5.00"), "paid")}


def test_an_xlsx_that_would_expand_too_far_is_refused_before_reading(in_acme, monkeypatch):
    monkeypatch.setattr(reading, "XLSX_MAX_EXPANDED_BYTES", 1000)
    record = import_file("invoices", xlsx_bytes(INVOICE_HEADER, [["I1", "", "2024-01-01", 1, "", ""]]),
                         name="big.xlsx")
    assert record.status == "failed" and "would expand" in record.reason


@pytest.mark.parametrize(("content", "message"), [
    (b"", None),
    (b"\n\n  \n", "The file is empty."),
    (b"invoice_id,customer_id,date,amount\n", "The file has a header but no rows."),
    (bytes(range(256)) * 20, "does not look like a CSV file"),
    ("invoice_id,date,amount\nI1,2024-01-01,5\nI2,2024-01-02,caf\xe9\n".encode("latin-1"), "not UTF-8"),
    (b"PK\x03\x04garbage that is not a zip", "not a readable XLSX"),
    (b"[1, 2", "not valid JSON"),
])
def test_garbage_and_empty_files_fail_with_a_plain_reason(in_acme, content, message):
    from django.core.exceptions import ValidationError

    if message is None:
        with pytest.raises(ValidationError, match="The file is empty"):
            import_file("invoices", content)
        return
    record = import_file("invoices", content)
    assert record.status == "failed"
    assert message in record.reason
    assert record.errors[0]["line"] == 1
    assert not Invoice.objects.exists()


def test_a_file_over_the_size_limit_is_refused_before_parsing(in_acme, settings):
    from django.core.exceptions import ValidationError

    settings.KPIHUB_IMPORT_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="the limit is"):
        import_file("invoices", b"x" * 101)


def test_unknown_columns_are_ignored_with_a_warning_and_a_repeated_key_keeps_the_later_row(in_acme):
    record = import_records("invoices", [
        {"invoice_id": "I1", "date": "2024-01-01", "amount": "1", "notes": "first"},
        {"invoice_id": "I1", "date": "2024-01-02", "amount": "2", "notes": "second"}])
    assert record.status == "succeeded"
    assert any("Ignored column that is not part of invoices: notes" in w for w in record.warnings)
    assert any("line 2 (by line 3)" in w for w in record.warnings)
    assert Invoice.objects.get().amount == Decimal("2.00")


def test_unknown_customers_are_created_bare_with_a_warning_and_filled_in_by_a_customers_import(in_acme):
    record = import_records("invoices", [{"invoice_id": "I1", "customer_id": "C9", "date": "2024-01-01",
                                          "amount": "1"}])
    assert any("created as bare customers: C9" in w for w in record.warnings)
    assert Customer.objects.get().is_bare
    import_records("customers", [{"customer_id": "C9", "name": "Nine"}])
    customer = Customer.objects.get()
    assert (customer.name, customer.is_bare) == ("Nine", False)


def test_a_foreign_currency_row_needs_the_rate_of_its_month(in_acme):
    rows = [{"invoice_id": "I1", "date": "2024-03-10", "amount": "10", "currency": "eur"}]
    assert import_records("invoices", rows).status == "failed"
    FxRate.objects.create(currency="EUR", month="2024-03-01", rate=Decimal("1.1"))
    assert import_records("invoices", rows).status == "succeeded"
    assert Invoice.objects.get().currency == "EUR"


def test_an_update_changes_only_the_columns_the_file_has(in_acme):
    import_records("customers", [{"customer_id": "C1", "name": "One", "segment": "agency"}])
    record = import_records("customers", [{"customer_id": "C1", "name": "One Ltd"}])
    assert (record.rows_updated, record.rows_unchanged) == (1, 0)
    assert Customer.objects.values_list("name", "segment").get() == ("One Ltd", "agency")


def test_new_metric_slugs_become_custom_kpis_but_reserved_ones_do_not(in_acme):
    import_records("metric_values", [{"metric": "cash_balance", "date": "2024-01-31", "value": "-12.5"},
                                     {"metric": "open_deals", "date": "2024-01-31", "value": "7"}])
    assert list(CustomMetric.objects.values_list("slug", flat=True)) == ["open_deals"]
    assert MetricValue.objects.get(metric="cash_balance").value == Decimal("-12.5")


def test_expenses_without_an_id_are_matched_on_what_the_row_says(in_acme):
    row = {"expense_id": "", "date": "2024-01-31", "category": "marketing", "amount": "100",
           "channel": "paid", "description": "Ads"}
    import_records("expenses", [row])
    record = import_records("expenses", [{**row, "amount": "120"}])
    assert (record.rows_created, record.rows_updated) == (0, 1)


def test_a_row_with_more_values_than_the_header_is_rejected(in_acme):
    content = b"invoice_id,date,amount\nI1,2024-01-01,5\nI2,2024-01-02,5,surprise\n"
    record = import_file("invoices", content, on_error="skip")
    assert record.rows_rejected == 1
    assert record.errors[0] == {"line": 3, "column": "", "value": "",
                                "message": "this row has 4 values but the header has 3 columns"}


def test_line_numbers_count_blank_lines_and_quoted_line_breaks(in_acme):
    content = b'invoice_id,date,amount\n\n"I1\nwith a break",2024-01-01,5\nI2,nope,5\n'
    record = import_file("invoices", content, on_error="skip")
    assert record.errors[0]["line"] == 5
