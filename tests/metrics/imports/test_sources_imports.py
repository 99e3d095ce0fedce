"""Each declared source: its vendor file imported with no options (no kind, no
source: recognised from the header), its stored records and its KPIs equal to the
figures worked out by hand in the comments."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from metrics.imports import running, services
from metrics.kpis.compute import recompute_kpis
from metrics.models import (Customer, DataImport, Expense, ImportedSurveyResponse, Invoice, KpiValue, Lead,
                            Subscription, Ticket, TrafficDay)
from tests.metrics.imports import vendor_files
from tests.metrics.imports.builders import upload

pytestmark = pytest.mark.usefixtures("in_acme")
APRIL_END = datetime.datetime(2024, 4, 30, 12, tzinfo=datetime.UTC)


def import_as_is(content: bytes, name: str) -> DataImport:
    record = services.start_import(upload=upload(content, name))
    running.run_import(import_id=str(record.pk))
    record.refresh_from_db()
    record.job.refresh_from_db()
    return record


def kpi(key: str, month: str) -> Decimal | None:
    row = KpiValue.objects.filter(kpi=key, month=datetime.date.fromisoformat(month + "-01")).first()
    return None if row is None else row.value


def succeeded(record: DataImport, source: str, kind: str) -> None:
    assert record.job.status == "succeeded", (record.errors, record.job.error)
    assert (record.source, record.kind) == (source, kind)


def test_stripe_invoices_drop_drafts_and_void_take_tax_out_and_map_statuses():
    record = import_as_is(vendor_files.stripe_invoices(), "invoices.csv")
    succeeded(record, "stripe_invoices", "invoices")
    stored = {invoice.invoice_id: (str(invoice.date), invoice.amount, invoice.status, invoice.currency)
              for invoice in Invoice.objects.all()}
    assert stored == {
        "in_1": ("2024-01-05", Decimal("100.00"), "paid", "USD"),     # 120.00 total - 20.00 tax
        "in_2": ("2024-01-20", Decimal("50.00"), "paid", "USD"),
        "in_5": ("2024-02-03", Decimal("80.00"), "open", "USD"),
        "in_6": ("2024-02-10", Decimal("30.00"), "void", "USD"),      # uncollectible
    }
    assert record.notes[0] == "Read as Stripe invoices export (Stripe)."
    assert "Dropped 1 draft invoices (line 4): a draft is not issued and owes nothing." in record.notes
    assert "Dropped 1 void invoices (line 5): a voided invoice was cancelled and is not revenue." in record.notes
    assert "Mapped Status “uncollectible” to “void” on 1 row." in record.notes
    assert any(note.startswith("Derived amount on 1 row: Total minus Tax") for note in record.notes)
    recompute_kpis(now=APRIL_END)
    # January: 100.00 + 50.00 paid; February: only open and uncollectible invoices.
    assert (kpi("revenue", "2024-01"), kpi("orders", "2024-01")) == (Decimal("150"), Decimal("2"))
    assert kpi("revenue", "2024-02") == Decimal("0")


def test_stripe_customers():
    record = import_as_is(vendor_files.stripe_customers(), "customers.csv")
    succeeded(record, "stripe_customers", "customers")
    stored = {c.customer_id: (c.name, c.email, str(c.signup_date)) for c in Customer.objects.all()}
    assert stored == {"cus_A": ("Alpha Ltd", "a@x.example", "2024-01-03"),
                      "cus_B": ("Beta Inc", "b@x.example", "2024-01-18"),
                      "cus_C": ("Gamma", "c@x.example", "2024-02-01")}


def test_stripe_subscriptions_trials_pay_from_their_end_ended_at_ends_and_never_started_ones_drop():
    record = import_as_is(vendor_files.stripe_subscriptions(), "subscriptions.csv")
    succeeded(record, "stripe_subscriptions", "subscriptions")
    stored = {s.subscription_id: (s.amount, s.quantity, s.interval, str(s.start_date), str(s.end_date))
              for s in Subscription.objects.all()}
    assert stored == {
        "sub_1": (Decimal("100.00"), 1, "month", "2024-01-05", "None"),
        "sub_2": (Decimal("30.00"), 2, "month", "2024-02-10", "None"),      # trial ends 2024-02-10
        "sub_3": (Decimal("1200.00"), 1, "year", "2024-01-15", "2024-03-15"),  # Ended At, not Canceled At
        "sub_6": (Decimal("50.00"), 1, "month", "2024-02-01", "None"),      # canceled, not ended
    }
    notes = record.notes
    assert ("Dropped 1 incomplete_expired subscriptions (line 5): their first payment never succeeded, "
            "so they never started.") in notes
    assert "Dropped 1 subscriptions that ended during their trial (line 6): they never paid." in notes
    assert any(note.startswith("Derived start_date on 1 row: the later of Start (UTC) and Trial End")
               for note in notes)
    assert any(note.startswith("1 subscription carries a coupon") for note in notes)
    assert any(note.startswith("1 subscription is canceled but not ended") for note in notes)
    recompute_kpis(now=APRIL_END)
    # Jan 31: sub_1 100 + sub_3 1200/12 = 200 (sub_2 still in trial).
    # Feb 29: 100 + 2 x 30 + 100 + 50 = 310.  Apr 30: sub_3 ended Mar 15 -> 100 + 60 + 50 = 210.
    assert (kpi("mrr", "2024-01"), kpi("mrr", "2024-02"), kpi("mrr", "2024-04")) == (
        Decimal("200"), Decimal("310"), Decimal("210"))


def test_ga4_traffic_acquisition_preamble_compact_dates_and_bounces_from_engaged_sessions():
    record = import_as_is(vendor_files.ga4_traffic_acquisition(), "traffic.csv")
    succeeded(record, "ga4_traffic_acquisition", "traffic")
    stored = {(str(t.date), t.channel): (t.visits, t.unique_visitors, t.bounces, t.conversions)
              for t in TrafficDay.objects.all()}
    assert stored == {("2024-01-01", "Organic Search"): (100, 80, 40, None),
                      ("2024-01-01", "Direct"): (50, 40, 30, None),
                      ("2024-01-02", "Organic Search"): (120, 90, 30, None),
                      ("2024-01-15", "Paid Search"): (30, 25, 18, None)}
    # The nine "#" lines are skipped, and said (by the source, or by the reader when it skips them).
    assert any("9 lines" in note and "header" in note for note in record.notes), record.notes
    assert any(note.startswith("Derived bounces on 4 rows") for note in record.notes)
    recompute_kpis(now=APRIL_END)
    # visits 100 + 50 + 120 + 30 = 300; bounces 40 + 30 + 30 + 18 = 118 -> 39.33 %
    assert kpi("visits", "2024-01") == Decimal("300")
    assert kpi("unique_visitors", "2024-01") == Decimal("235")
    assert round(kpi("bounce_rate", "2024-01"), 2) == Decimal("39.33")


def test_zendesk_tickets_minutes_become_timestamps():
    record = import_as_is(vendor_files.zendesk_tickets(), "tickets.csv")
    succeeded(record, "zendesk_tickets", "tickets")
    utc = datetime.UTC
    stored = {t.ticket_id: (t.opened_at, t.first_response_at, t.resolved_at, t.customer_id, t.channel)
              for t in Ticket.objects.all()}
    assert stored == {
        "101": (datetime.datetime(2024, 1, 15, 9, 30, tzinfo=utc), datetime.datetime(2024, 1, 15, 10, 15, tzinfo=utc),
                datetime.datetime(2024, 1, 15, 16, tzinfo=utc), "a@x.example", "Mail"),
        # 14:00 +01:00 is 13:00 UTC; 120 minutes later.
        "102": (datetime.datetime(2024, 1, 16, 13, tzinfo=utc), datetime.datetime(2024, 1, 16, 15, tzinfo=utc),
                None, "b@x.example", "Web form"),
        "103": (datetime.datetime(2024, 1, 20, 8, tzinfo=utc), None, None, "c@x.example", "Mail"),
    }
    assert any(note.startswith("Derived first_response_at on 2 rows") for note in record.notes)
    recompute_kpis(now=APRIL_END)
    # First responses (45 + 120) / 2 minutes = 1.375 h; one resolution 09:30 -> 16:00 = 6.5 h.
    assert kpi("avg_first_response_hours", "2024-01") == Decimal("1.375")
    assert kpi("avg_resolution_hours", "2024-01") == Decimal("6.5")
    assert kpi("tickets_opened", "2024-01") == Decimal("3")


def test_hubspot_contacts_as_leads():
    record = import_as_is(vendor_files.hubspot_contacts(), "contacts.csv")
    succeeded(record, "hubspot_contacts", "leads")
    stored = {lead.lead_id: (str(lead.created_date), lead.channel, lead.qualified, str(lead.converted_date),
                             lead.customer_id) for lead in Lead.objects.all()}
    assert stored == {"501": ("2024-01-05", "Organic Search", False, "None", ""),
                      "502": ("2024-01-10", "Paid Search", True, "None", ""),
                      "503": ("2024-01-12", "Referrals", True, "2024-02-01", "cy@x.example"),
                      "504": ("2024-02-02", "Direct Traffic", False, "None", "")}
    recompute_kpis(now=APRIL_END)
    # January: 3 leads, 2 qualified (MQL and customer), 1 converted -> 33.33 %.
    assert (kpi("leads", "2024-01"), kpi("qualified_leads", "2024-01")) == (Decimal("3"), Decimal("2"))
    assert round(kpi("lead_conversion_rate", "2024-01"), 2) == Decimal("33.33")


def test_shopify_orders_one_invoice_per_order_tax_out_refunds_negative():
    record = import_as_is(vendor_files.shopify_orders(), "orders_export.csv")
    succeeded(record, "shopify_orders", "invoices")
    stored = {i.invoice_id: (str(i.date), i.amount, i.status) for i in Invoice.objects.all()}
    assert stored == {"#1001": ("2024-01-03", Decimal("53.00"), "paid"),        # 56.29 - 3.29 tax
                      "#1002": ("2024-01-10", Decimal("100.00"), "paid"),       # 108.00 - 8.00 tax
                      "#1002-refund": ("2024-01-10", Decimal("-54.00"), "paid"),
                      "#1004": ("2024-01-20", Decimal("20.00"), "open")}
    assert "Dropped 1 voided orders (line 5): a voided order's payment was cancelled before it was captured." \
        in record.notes
    assert "Read 1 continuation row as part of the row above (same Name; line 3)." in record.notes
    recompute_kpis(now=APRIL_END)
    # Revenue 53.00 + 100.00 - 54.00 = 99.00; orders: the two paid ones with an amount > 0.
    assert (kpi("revenue", "2024-01"), kpi("orders", "2024-01")) == (Decimal("99"), Decimal("2"))


QUICKBOOKS_EXPENSES = {
    # (date, category, amount, description); the account is the section a line is under.
    ("2024-01-05", "marketing", Decimal("1250.00"), "Advertising: Google Ads — Search ads January"),
    ("2024-01-20", "marketing", Decimal("300.00"), "Advertising: Meta Platforms — Social campaign"),
    ("2024-02-03", "marketing", Decimal("75.00"), "Advertising: Google Ads — Search ads"),
    ("2024-01-12", "cogs", Decimal("400.00"), "Cost of Goods Sold: Acme Supplies — Materials"),
    ("2024-01-31", "sales", Decimal("150.00"), "Commissions & fees: Sam Agent — January commission"),
    ("2024-01-01", "operating", Decimal("2000.00"), "Rent or Lease: Landlord LLC — January rent"),
    ("2024-02-01", "operating", Decimal("2000.00"), "Rent or Lease: Landlord LLC — February rent"),
    ("2024-01-15", "other", Decimal("80.00"), "Software Subscriptions: Slack — Workspace"),
}


QUICKBOOKS_EXPENSES_TWICE = ("2024-02-03", "marketing", Decimal("75.00"), "Advertising: Google Ads — Search ads")


def stored_expenses() -> list[tuple]:
    return sorted((str(e.date), e.category, e.amount, e.description) for e in Expense.objects.all())


def test_quickbooks_transaction_detail_accounts_as_categories_titles_totals_and_labels_skipped():
    record = import_as_is(vendor_files.quickbooks_transaction_detail(), "TransactionDetailByAccount.csv")
    succeeded(record, "quickbooks_transaction_detail", "expenses")
    # The two equal Google Ads charges of Feb 3rd stay two expenses.
    assert record.rows_created == 9
    assert stored_expenses() == sorted([*QUICKBOOKS_EXPENSES, QUICKBOOKS_EXPENSES_TWICE])
    notes = record.notes
    assert "Line 5 was read as the header; 3 lines before it (a preamble or title) were skipped: " \
           "lines 1, 2 and 3." in notes
    assert "Skipped 8 total rows: lines 12, 15, 18, 22, 25, 28, 31 and 32." in notes
    assert ("Skipped 8 rows with values only under unnamed columns (section or footer labels): "
            "lines 6, 13, 16, 19, 23, 26, 29 and 34.") in notes
    assert ("Accounts read as categories (rows): cogs: Cost of Goods Sold (1); marketing: Advertising (4); "
            "operating: Rent or Lease (2); sales: Commissions & fees (1).") in notes
    assert any(note.startswith("1 account was not recognised and imported as category other: "
                               "Software Subscriptions (1 row).") for note in notes)
    assert "Accounts left out as not expenses (rows): Checking (1), Sales of Product Income (1)." in notes
    assert any(note.startswith("Credits (negative amounts) total 50.00 and were not imported") for note in notes)
    recompute_kpis(now=APRIL_END)
    # January: marketing 1,250 + 300; cogs 400; sales 150; rent 2,000; Slack 80 -> 4,180.
    # February: marketing 75 + 75; rent 2,000 -> 2,150 (the 50.00 credit is not imported).
    assert (kpi("marketing_spend", "2024-01"), kpi("marketing_spend", "2024-02")) == (Decimal("1550"),
                                                                                      Decimal("150"))
    assert (kpi("sales_spend", "2024-01"), kpi("cogs", "2024-01")) == (Decimal("150"), Decimal("400"))
    assert (kpi("total_expenses", "2024-01"), kpi("total_expenses", "2024-02")) == (Decimal("4180"),
                                                                                    Decimal("2150"))


def test_quickbooks_xlsx_export_gives_the_same_expenses_with_the_same_ids():
    first = import_as_is(vendor_files.quickbooks_transaction_detail(), "TransactionDetailByAccount.csv")
    ids = sorted(Expense.objects.values_list("expense_id", flat=True))
    again = import_as_is(vendor_files.quickbooks_transaction_detail_xlsx(), "TransactionDetailByAccount.xlsx")
    succeeded(again, "quickbooks_transaction_detail", "expenses")
    assert first.rows_created == 9
    assert (again.rows_created, again.rows_updated, again.rows_unchanged) == (0, 0, 9)
    assert sorted(Expense.objects.values_list("expense_id", flat=True)) == ids
    assert stored_expenses() == sorted([*QUICKBOOKS_EXPENSES, QUICKBOOKS_EXPENSES_TWICE])


def test_surveymonkey_responses_second_header_row_dropped_us_dates_and_the_recommend_question(acme):
    record = import_as_is(vendor_files.surveymonkey_responses(), "responses.csv")
    succeeded(record, "surveymonkey_responses", "survey_responses")
    zone = ZoneInfo(acme.tenant.timezone)
    stored = {r.response_id: (r.survey_type, r.score, r.responded_at.astimezone(zone).replace(tzinfo=None), r.email)
              for r in ImportedSurveyResponse.objects.all()}
    at = datetime.datetime
    assert stored == {
        "114001": ("nps", 10, at(2024, 1, 15, 9, 32, 10), "a@x.example"),
        "114002": ("nps", 9, at(2024, 1, 20, 14, 7, 30), "b@x.example"),     # 02:07:30 PM
        "114003": ("nps", 7, at(2024, 1, 22, 11, 1), "c@x.example"),
        "114004": ("nps", 3, at(2024, 1, 28, 16, 12, 45), "d@x.example"),
        "114006": ("nps", 8, at(2024, 2, 10, 23, 59, 59), "f@x.example"),
    }
    notes = record.notes
    assert ("Dropped 1 second header rows (line 2): the export's second header row names what each column "
            "holds; it is no response.") in notes
    assert "Dropped 1 responses that skipped the recommend question (line 7): there is no score to count." in notes
    assert any(note.startswith("Derived responded_at on 5 rows: End Date read as MM/DD/YYYY hh:mm:ss AM")
               for note in notes)
    recompute_kpis(now=APRIL_END)
    # January: promoters 10 and 9, passive 7, detractor 3 -> (2 - 1) / 4 = 25.
    assert (kpi("nps", "2024-01"), kpi("nps_responses", "2024-01")) == (Decimal("25"), Decimal("4"))
    assert kpi("nps_responses", "2024-02") == Decimal("1")


def test_a_source_named_for_a_file_without_its_header_fails_naming_the_columns():
    record = services.start_import(upload=upload(vendor_files.stripe_customers(), "c.csv"),
                                   source="stripe_invoices")
    running.run_import(import_id=str(record.pk))
    record.refresh_from_db()
    assert record.status == "failed"
    assert record.errors[0]["message"] == (
        "This file does not have the header of a Stripe invoices export (Stripe): it needs the columns "
        "id, Amount Due, Status, Date (UTC).")
