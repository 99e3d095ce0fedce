"""Exports read as they are (data-contract.md, "Lenient reading"): the header after a
preamble, repeated headers and total rows skipped, dates in the layouts exports use,
country names, amounts with currency signs, cents; every guess a note on the import,
and errors that name the real cause. Each through a real import."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics.imports import reading, running
from metrics.imports.headers import match_header
from metrics.imports.kinds import KINDS
from metrics.imports.staging import copy_plain_csv
from metrics.models import (Customer, DataImport, Expense, ImportedSurveyResponse, Invoice, Subscription, Ticket,
                            TrafficDay)
from tests.metrics.imports.builders import csv_bytes, import_file, text_file, xlsx_bytes

# The lines a GA4 report export starts with: comment lines, a blank one, then the table.
GA4_PREAMBLE = ["# ----------------------------------------", "# Traffic acquisition: Session default channel group",
                "# Account: Acme", "# Property: acme.example", "# ----------------------------------------",
                "", "# Start date: 20240101", "# End date: 20240131"]


def notes_text(record) -> str:
    return " | ".join(record.notes)


# --- The header after a preamble; repeated headers, totals and labels skipped ----------------

def test_a_comment_preamble_is_passed_over_and_compact_dates_are_read_with_notes(in_acme):
    content = text_file([*GA4_PREAMBLE, "date,channel,visits,bounces",
                         "20240101,organic,120,30", "20240102,paid,80,20"])
    record = import_file("traffic", content)
    assert record.status == "succeeded", record.errors
    assert sorted(TrafficDay.objects.values_list("date", "channel", "visits")) == [
        (datetime.date(2024, 1, 1), "organic", 120), (datetime.date(2024, 1, 2), "paid", 80)]
    assert "Line 9 was read as the header; 7 lines before it (a preamble or title) were skipped: " \
           "lines 1, 2, 3, 4, 5, 7 and 8." in record.notes
    assert "date: read as YYYYMMDD dates (e.g. “20240101” on line 10)." in record.notes


def test_a_file_with_a_preamble_still_takes_the_copy_path_from_after_its_header(in_acme):
    content = text_file([*GA4_PREAMBLE, "invoice_id,date,amount", "I1,2024-01-05,10.00", "I2,2024-01-06,2.50"])
    table = reading.open_table(io.BytesIO(content), name="data.csv")
    assert table.plain is not None and table.header_line == 9
    assert content[table.plain.start:].startswith(b"I1,")
    match = match_header(KINDS["invoices"], table.header)
    with connection.cursor() as cursor:
        assert copy_plain_csv(cursor, match, table.plain) == 2
        cursor.execute('SELECT line, invoice_id, date, amount FROM import_staging ORDER BY line')
        assert cursor.fetchall() == [(10, "I1", "2024-01-05", "10.00"), (11, "I2", "2024-01-06", "2.50")]


def test_a_report_with_title_lines_sections_totals_and_a_footer(in_acme):
    """A QuickBooks-style report: title, company and period lines, a header whose first
    column is unnamed, section rows, "Total for ..." rows, a grand TOTAL and a footer."""
    content = text_file([
        "Transaction Detail by Account", "Acme Ltd", '"January 1 - March 31, 2024"', "",
        ",date,category,amount,description",
        "Advertising,,,,",
        ',2024-01-05,marketing,"$1,250.00",Ads',
        ",2024-02-05,marketing,$300.00,Ads",
        'Total for Advertising,,,"$1,550.00",',
        "Software,,,,",
        ",2024-01-31,operating,$49.00,Tools",
        "Total for Software,,,$49.00,",
        'TOTAL,,,"$1,599.00",', "", "",
        '"Accrual basis Monday, April 1, 2024 09:14 AM GMT-07:00"'])
    record = import_file("expenses", content)
    assert record.status == "succeeded", record.errors
    assert sorted(Expense.objects.values_list("date", "amount")) == [
        (datetime.date(2024, 1, 5), Decimal("1250.00")), (datetime.date(2024, 1, 31), Decimal("49.00")),
        (datetime.date(2024, 2, 5), Decimal("300.00"))]
    assert record.rows_total == 3
    assert "Line 5 was read as the header; 3 lines before it (a preamble or title) were skipped: " \
           "lines 1, 2 and 3." in record.notes
    assert "Skipped 3 total rows: lines 9, 12 and 13." in record.notes
    assert ("Skipped 3 rows with values only under unnamed columns (section or footer labels): "
            "lines 6, 10 and 16.") in record.notes
    assert any(note.startswith("amount: currency signs were left out of 3 amounts") for note in record.notes)


def test_a_repeated_header_row_is_skipped_and_keeps_the_file_off_the_copy_path(in_acme):
    content = text_file(["invoice_id,date,amount", "I1,2024-01-05,10", "invoice_id,date,amount", "I2,2024-01-06,5"])
    assert reading.open_table(io.BytesIO(content), name="data.csv").plain is None
    record = import_file("invoices", content)
    assert record.status == "succeeded", record.errors
    assert sorted(Invoice.objects.values_list("invoice_id", flat=True)) == ["I1", "I2"]
    assert "Skipped 1 repeat of the header row: line 3." in record.notes


def test_an_xlsx_report_has_its_header_found_after_title_rows(in_acme):
    content = xlsx_bytes(["Sales by customer"], [[], ["invoice_id", "date", "amount"],
                                                 ["I1", datetime.datetime(2024, 3, 1), 19.99], ["TOTAL", None, 19.99]])
    record = import_file("invoices", content, name="report.xlsx")
    assert record.status == "succeeded", record.errors
    assert list(Invoice.objects.values_list("invoice_id", "amount")) == [("I1", Decimal("19.99"))]
    assert "Skipped 1 total row: line 5." in record.notes


def test_missing_columns_name_the_line_read_as_the_header(in_acme):
    """A file after a preamble without the kind's columns: the error says which line
    was the header (not the preamble, as before: "missing date")."""
    content = text_file([*GA4_PREAMBLE, "Day,Channel,Visitors", "20240101,Organic Search,120"])
    record = import_file("traffic", content)
    assert record.status == "failed"
    assert "Missing required columns: date, visits." in record.reason
    assert "Line 9 was read as the header: “Day”, “Channel”, “Visitors”." in record.reason


@st.composite
def preambles(draw):
    lines = draw(st.lists(st.one_of(
        st.just(""), st.text("abc -:0123456789", max_size=20).map(lambda text: "# " + text),
        st.sampled_from(["Acme Ltd", "Invoice report", '"January 1 - December 31, 2024"', "Exported 2024-04-01"])),
        min_size=0, max_size=6))
    return lines


invoice_rows = st.lists(st.tuples(st.integers(1, 10**6),
                                  st.dates(datetime.date(2000, 1, 1), datetime.date(2030, 12, 31)),
                                  st.decimals(-10**6, 10**6, places=2, allow_nan=False)),
                        min_size=1, max_size=8, unique_by=lambda row: row[0])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(preamble=preambles(), rows=invoice_rows, crlf=st.booleans())
def test_a_file_with_a_preamble_imports_the_same_records_as_without(in_acme, preamble, rows, crlf):
    body = ["invoice_id,date,amount", *(f"I{number},{day.isoformat()},{amount}" for number, day, amount in rows)]
    line_break = "\r\n" if crlf else "\n"
    results = []
    for lines in (body, [*preamble, *body]):
        Invoice.objects.all().delete()
        record = import_file("invoices", text_file(lines, line_break=line_break))
        assert record.status == "succeeded", (lines, record.errors)
        results.append(sorted(Invoice.objects.values_list("invoice_id", "date", "amount")))
        assert record.rows_total == len(rows)
    assert results[0] == results[1]


# --- Dates ------------------------------------------------------------------------------------

def test_a_datetime_in_a_date_column_counts_as_its_date_in_the_tenant_time_zone(in_acme, monkeypatch):
    monkeypatch.setattr(connection.tenant, "timezone", "America/New_York")
    content = csv_bytes(["invoice_id", "date", "amount"], [
        ["I1", "2024-03-31T23:30:00-04:00", "5"],    # late evening in New York
        ["I2", "2024-04-01T02:00:00Z", "5"],         # still March 31 there
        ["I3", "2024-04-01 09:00:00", "5"],          # no offset: the tenant's own clock
        ["I4", "2024-04-02", "5"]])
    record = import_file("invoices", content)
    assert record.status == "succeeded", record.errors
    assert dict(Invoice.objects.values_list("invoice_id", "date")) == {
        "I1": datetime.date(2024, 3, 31), "I2": datetime.date(2024, 3, 31), "I3": datetime.date(2024, 4, 1),
        "I4": datetime.date(2024, 4, 2)}
    assert any(note.startswith("date: dates with a time of day count as their date in America/New_York")
               for note in record.notes)


def test_surveymonkey_style_am_pm_times_are_read_when_the_order_is_named(in_acme):
    content = csv_bytes(["response_id", "survey_type", "score", "responded_at", "email"], [
        ["R1", "nps", "9", "11/06/2024 02:41:51 PM", "a@example.com"],
        ["R2", "nps", "3", "11/07/2024 12:05:00 AM", "b@example.com"],
        ["R3", "nps", "7", "11/08/2024 12:30:00 PM", "c@example.com"]])
    record = import_file("survey_responses", content, date_format="MM/DD/YYYY")
    assert record.status == "succeeded", record.errors
    utc = ZoneInfo("UTC")
    assert dict(ImportedSurveyResponse.objects.values_list("response_id", "responded_at")) == {
        "R1": datetime.datetime(2024, 11, 6, 14, 41, 51, tzinfo=utc),
        "R2": datetime.datetime(2024, 11, 7, 0, 5, tzinfo=utc),
        "R3": datetime.datetime(2024, 11, 8, 12, 30, tzinfo=utc)}
    assert any("12-hour times (AM/PM) read as 24-hour" in note for note in record.notes)


def test_am_pm_times_whose_month_comes_first_beyond_day_12_are_read_without_options(in_acme):
    content = csv_bytes(["response_id", "survey_type", "score", "responded_at", "email"], [
        ["R1", "nps", "9", "11/26/2024 02:41:51 PM", "a@example.com"],
        ["R2", "csat", "4", "12/01/2024 9:05:00 AM", "b@example.com"]])
    record = import_file("survey_responses", content)
    assert record.status == "succeeded", record.errors
    assert ImportedSurveyResponse.objects.get(response_id="R2").responded_at == datetime.datetime(
        2024, 12, 1, 9, 5, tzinfo=ZoneInfo("UTC"))
    assert "responded_at: read as MM/DD/YYYY (“11/26/2024 02:41:51 PM” on line 2 can only be month first)." \
           in record.notes


def test_slash_dates_that_cannot_be_told_apart_fail_naming_the_date_format_to_choose(in_acme):
    content = csv_bytes(["response_id", "survey_type", "score", "responded_at", "email"], [
        ["R1", "nps", "9", "11/06/2024 02:41:51 PM", "a@example.com"]])
    record = import_file("survey_responses", content)
    assert record.status == "failed"
    message = record.errors[0]["message"]
    assert message.startswith("not a date and time")
    assert "import with date_format=DD/MM/YYYY or date_format=MM/DD/YYYY" in message


def test_a_date_format_the_values_contradict_says_which_one_would_read_them(in_acme):
    content = csv_bytes(["invoice_id", "date", "amount"], [["I1", "12/31/2024", "5"], ["I2", "01/02/2024", "5"]])
    record = import_file("invoices", content, date_format="DD/MM/YYYY", on_error="skip")
    assert record.errors == [{"line": 2, "column": "date", "value": "12/31/2024",
                              "message": "not a date: use YYYY-MM-DD or DD/MM/YYYY (these look like MM/DD/YYYY: "
                                         "import with date_format=MM/DD/YYYY)"}]


def test_unix_timestamps_and_offsets_in_datetime_columns(in_acme):
    content = csv_bytes(["ticket_id", "opened_at", "first_response_at"], [
        ["T1", "1704103200", "1704106800"], ["T2", "1704189600", ""]])
    record = import_file("tickets", content)
    assert record.status == "succeeded", record.errors
    ticket = Ticket.objects.get(ticket_id="T1")
    assert ticket.opened_at == datetime.datetime(2024, 1, 1, 10, 0, tzinfo=ZoneInfo("UTC"))
    assert ticket.first_response_at == datetime.datetime(2024, 1, 1, 11, 0, tzinfo=ZoneInfo("UTC"))
    assert any(note.startswith("opened_at: read as Unix timestamps") for note in record.notes)

    content = csv_bytes(["ticket_id", "opened_at"], [["T3", "2024-03-31T14:30:00-0400"],
                                                      ["T4", "2024-03-31 14:30:00 +02:00"]])
    assert import_file("tickets", content).status == "succeeded"
    utc = ZoneInfo("UTC")
    assert Ticket.objects.get(ticket_id="T3").opened_at == datetime.datetime(2024, 3, 31, 18, 30, tzinfo=utc)
    assert Ticket.objects.get(ticket_id="T4").opened_at == datetime.datetime(2024, 3, 31, 12, 30, tzinfo=utc)


def test_spreadsheet_day_numbers_in_a_date_column(in_acme):
    content = xlsx_bytes(["customer_id", "signup_date"], [["C1", 45292], ["C2", 45351]])
    record = import_file("customers", content, name="customers.xlsx")
    assert record.status == "succeeded", record.errors
    assert dict(Customer.objects.values_list("customer_id", "signup_date")) == {
        "C1": datetime.date(2024, 1, 1), "C2": datetime.date(2024, 2, 29)}
    assert any(note.startswith("signup_date: read as spreadsheet day numbers") for note in record.notes)


# --- Countries and amounts --------------------------------------------------------------------

def test_country_names_become_iso_codes_with_a_note(in_acme):
    content = csv_bytes(["customer_id", "country"], [["C1", "United Kingdom"], ["C2", "germany"], ["C3", "FR"],
                                                     ["C4", "Deutschland"]])
    record = import_file("customers", content)
    assert record.status == "succeeded", record.errors
    assert dict(Customer.objects.values_list("customer_id", "country")) == {"C1": "GB", "C2": "DE", "C3": "FR",
                                                                             "C4": "DE"}
    assert "country: 3 country names read as their codes (e.g. “United Kingdom” as GB)." in record.notes


def test_amounts_with_currency_signs_grouping_and_accounting_parentheses(in_acme):
    content = csv_bytes(["invoice_id", "date", "amount"], [
        ["I1", "2024-01-05", "$1,250.00"], ["I2", "2024-01-05", "(12.50)"], ["I3", "2024-01-05", "-$5"],
        ["I4", "2024-01-05", "£7.25"], ["I5", "2024-01-05", "9.99"]])
    record = import_file("invoices", content)
    assert record.status == "succeeded", record.errors
    assert dict(Invoice.objects.values_list("invoice_id", "amount")) == {
        "I1": Decimal("1250.00"), "I2": Decimal("-12.50"), "I3": Decimal("-5.00"), "I4": Decimal("7.25"),
        "I5": Decimal("9.99")}
    assert "amount: 1 amount in parentheses read as negative (accounting style)." in record.notes


def test_euro_amounts_in_a_semicolon_file(in_acme):
    content = csv_bytes(["invoice_id", "date", "amount"], [["I1", "2024-01-05", "1.250,00 €"],
                                                           ["I2", "2024-01-06", "€ 3,50"]], delimiter=";")
    record = import_file("invoices", content)
    assert record.status == "succeeded", record.errors
    assert dict(Invoice.objects.values_list("invoice_id", "amount")) == {"I1": Decimal("1250.00"),
                                                                         "I2": Decimal("3.50")}


def test_a_doubled_sign_is_an_error_not_a_failed_statement(in_acme):
    record = import_file("invoices", csv_bytes(["invoice_id", "date", "amount"], [["I1", "2024-01-05", "-$-5"]]),
                         on_error="skip")
    assert record.errors[0]["message"].startswith("not an amount")


# --- Cents --------------------------------------------------------------------------------------

SUBSCRIPTIONS = ["subscription_id", "customer_id", "amount", "start_date"]
CENTS_ROWS = [[f"S{n}", f"C{n}", str(amount), "2024-01-01"]
              for n, amount in enumerate([4900, 9900, 4900, 19900, 2900, 4999])]


def test_amount_unit_cents_divides_money_by_100_exactly(in_acme):
    record = import_file("subscriptions", csv_bytes(SUBSCRIPTIONS, CENTS_ROWS), amount_unit="cents")
    assert record.status == "succeeded", record.errors
    assert sorted(Subscription.objects.values_list("amount", flat=True)) == [
        Decimal("29.00"), Decimal("49.00"), Decimal("49.00"), Decimal("49.99"), Decimal("99.00"), Decimal("199.00")]
    assert not record.warnings or not any("amount_unit=cents" in warning for warning in record.warnings)


def test_cents_with_a_fraction_of_a_cent_are_an_error(in_acme):
    record = import_file("invoices", csv_bytes(["invoice_id", "date", "amount"], [["I1", "2024-01-05", "1250.5"],
                                                                                 ["I2", "2024-01-05", "$1,250"]]),
                         amount_unit="cents", on_error="skip")
    assert Invoice.objects.get().amount == Decimal("12.50")
    assert record.errors[0]["message"] == "more than 2 decimal places"


def test_amounts_that_look_like_cents_get_a_warning_naming_amount_unit(in_acme):
    record = import_file("subscriptions", csv_bytes(SUBSCRIPTIONS, CENTS_ROWS))
    assert record.status == "succeeded"
    assert any(warning.startswith("amount: every amount is a whole number and half of them are 4,900 or more")
               and "amount_unit=cents" in warning for warning in record.warnings)


@pytest.mark.parametrize("amounts", [["49.00", "99.00", "49.00", "199.00", "29.00", "49.99"],
                                     ["49", "99", "49", "199", "29", "50"]])
def test_amounts_in_units_get_no_cents_warning(in_acme, amounts):
    rows = [[*row[:2], amount, row[3]] for row, amount in zip(CENTS_ROWS, amounts)]
    record = import_file("subscriptions", csv_bytes(SUBSCRIPTIONS, rows))
    assert record.status == "succeeded"
    assert not any("amount_unit=cents" in warning for warning in record.warnings)


def test_the_imports_page_offers_cents_and_passes_the_choice_to_the_import(in_acme):
    browser = Client(HTTP_HOST=in_acme.host)
    browser.force_login(get_user_model().objects.get(username=in_acme.owner_email))
    assert '<option value="cents">' in browser.get("/imports/?kind=subscriptions").content.decode()
    upload = SimpleUploadedFile("subscriptions.csv", csv_bytes(SUBSCRIPTIONS, CENTS_ROWS[:1]))
    response = browser.post("/imports/", {"kind": "subscriptions", "amount_unit": "cents", "file": upload})
    assert response.status_code == 302
    record = DataImport.objects.get()
    assert record.amount_unit == "cents"
    connection.set_tenant(in_acme.tenant)
    running.run_import(import_id=str(record.pk))
    assert Subscription.objects.get().amount == Decimal("49.00")
