"""Every kind: its template imports as it is, a second import changes nothing, each
kind of bad row is reported with line, column, value and message, and a file without
a required column is refused whole."""

import pytest

from metrics.imports.excerpts import excerpt
from metrics.imports.kinds import KINDS
from metrics.imports.samples import template_csv
from tests.metrics.imports.builders import example_rows, import_file, import_records

ALL_KINDS = list(KINDS)


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_the_template_of_each_kind_imports_and_a_second_import_changes_nothing(in_acme, kind):
    first = import_file(kind, template_csv(KINDS[kind]))
    assert first.status == "succeeded", (first.reason, first.errors)
    assert (first.rows_total, first.rows_created, first.rows_updated, first.rows_rejected) == (2, 2, 0, 0)
    assert KINDS[kind].model.objects.count() == 2
    again = import_file(kind, template_csv(KINDS[kind]))
    assert (again.rows_created, again.rows_updated, again.rows_unchanged) == (0, 0, 2)


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_a_missing_required_column_refuses_the_file_naming_it_and_the_expected_ones(in_acme, kind):
    declared = KINDS[kind]
    missing = declared.required[-1]
    rows = [{name: value for name, value in row.items() if name != missing} for row in example_rows(kind)]
    record = import_records(kind, rows)
    assert record.status == "failed"
    assert f"Missing required column: {missing}." in record.reason
    assert ", ".join(declared.column_names) in record.reason
    assert declared.model.objects.count() == 0


BAD_ROWS = [
    ("customers", {"email": "not-an-email"}, "email", "not an e-mail address"),
    ("customers", {"country": "XX"}, "country", "not an ISO 3166 country code"),
    ("customers", {"signup_date": "2024-02-30"}, "signup_date", "not a date"),
    ("customers", {"customer_id": "x" * 101}, "customer_id", "longer than 100 characters"),
    ("customers", {"customer_id": ""}, "customer_id", "customer_id is required"),
    ("subscriptions", {"end_date": "2024-01-01"}, "end_date", "end_date must be after start_date"),
    ("subscriptions", {"quantity": "0"}, "quantity", "must be at least 1"),
    ("subscriptions", {"amount": "-5"}, "amount", "must not be negative"),
    ("subscriptions", {"interval": "fortnight"}, "interval", "must be one of: month, quarter, year, week"),
    ("subscriptions", {"currency": "EUR"}, "currency", "no exchange rate for EUR in 2024-02"),
    ("invoices", {"amount": "12.345"}, "amount", "more than 2 decimal places"),
    ("invoices", {"amount": "ten"}, "amount", "not an amount"),
    ("invoices", {"date": "31/01/2024"}, "date", "not a date: use YYYY-MM-DD"),
    ("invoices", {"currency": "EURO"}, "currency", "not a currency code"),
    ("invoices", {"status": "paid?"}, "status", "must be one of: paid, open, void"),
    ("expenses", {"category": "travel"}, "category", "must be one of"),
    ("traffic", {"bounces": "5000"}, "bounces", "bounces must not exceed visits"),
    ("traffic", {"conversions": "5000"}, "conversions", "conversions must not exceed visits"),
    ("traffic", {"visits": "1.5"}, "visits", "not a whole number"),
    ("traffic", {"visits": "-3"}, "visits", "must be at least 0"),
    ("leads", {"qualified": "maybe"}, "qualified", "use true/false, yes/no or 1/0"),
    ("leads", {"converted_date": "2024-01-01"}, "converted_date", "must not be before created_date"),
    ("tickets", {"resolved_at": "2024-01-15T09:00:00"}, "resolved_at", "must not be before opened_at"),
    ("tickets", {"first_response_at": "2024-01-15T08:00:00"}, "first_response_at", "must not be before opened_at"),
    ("tickets", {"opened_at": "2024-01-15T25:00:00"}, "opened_at", "not a date and time"),
    ("survey_responses", {"score": "11"}, "score", "score must be 0-10 for nps and 1-5 for csat"),
    ("survey_responses", {"response_id": "", "email": "", "customer_id": ""}, "response_id",
     "without a response_id, give an email or a customer_id"),
    ("metric_values", {"metric": "Cash Balance"}, "metric", "lowercase letters, digits and _"),
    ("metric_values", {"value": "1e5"}, "value", "not a number"),
    ("fx_rates", {"rate": "0"}, "rate", "must be greater than 0"),
    ("fx_rates", {"month": "2024-13"}, "month", "not a month: use YYYY-MM"),
]


@pytest.mark.parametrize(("kind", "change", "column", "message"), BAD_ROWS,
                         ids=[f"{kind}-{column}-{index}" for index, (kind, _, column, _) in enumerate(BAD_ROWS)])
def test_each_kind_of_bad_row_is_reported_with_its_line_column_value_and_message(in_acme, kind, change,
                                                                               column, message):
    good, bad = example_rows(kind)
    bad = {**bad, **change}
    record = import_records(kind, [good, bad])
    assert record.status == "failed"
    assert record.rows_rejected == 1
    error = next(error for error in record.errors if error["column"] == column)
    assert error["line"] == 3
    assert error["value"] == excerpt(change.get(column, bad[column]))  # a long value quoted in part
    assert message in error["message"]
    assert KINDS[kind].model.objects.count() == 0, "on_error=reject writes nothing"
