"""Billing and finance vendors' exports (Chargebee, Stripe's itemized balance report,
the ECB's reference rates):
each imported with no options, its stored records and its KPIs equal to the figures
worked out by hand in the comments."""

from __future__ import annotations

from decimal import Decimal

import pytest

from metrics.imports import running, services
from metrics.kpis.compute import recompute_kpis
from metrics.models import FxRate, Invoice, Subscription
from tests.metrics.imports import vendor_files
from tests.metrics.imports.builders import records_csv, upload
from tests.metrics.imports.test_sources_imports import APRIL_END, import_as_is, kpi, succeeded

pytestmark = pytest.mark.usefixtures("in_acme")


def test_chargebee_subscriptions_statuses_trials_periods_and_pauses():
    record = import_as_is(vendor_files.chargebee_subscriptions(), "Subscriptions.csv")
    succeeded(record, "chargebee_subscriptions", "subscriptions")
    stored = {s.subscription_id: (s.customer_id, s.amount, s.quantity, s.interval, str(s.start_date),
                                  str(s.end_date)) for s in Subscription.objects.all()}
    assert stored == {
        "cb_1": ("A", Decimal("100.00"), 1, "month", "2024-01-05", "None"),
        "cb_2": ("B", Decimal("30.00"), 2, "month", "2024-02-10", "None"),          # trial ends Feb 10
        "cb_3": ("C", Decimal("1200.00"), 1, "year", "2024-01-15", "2024-03-15"),   # cancelled_at
        "cb_6": ("A", Decimal("50.00"), 1, "month", "2024-02-01", "2024-05-01"),    # non_renewing
        "cb_7": ("F", Decimal("40.00"), 1, "month", "2024-01-08", "2024-03-08"),    # paused
        "cb_8": ("G", Decimal("90.00"), 1, "quarter", "2024-02-15", "None"),        # 3 months
        "cb_9": ("H", Decimal("50.00"), 1, "month", "2024-03-01", "None"),          # 300.00 / 6 months
        "cb_10": ("I", Decimal("25.00"), 1, "month", "2024-05-04", "None"),         # in trial
    }
    notes = record.notes
    assert notes[0] == "Read as Chargebee subscriptions export (Chargebee)."
    assert "Dropped 1 future subscriptions (line 5): they have not started." in notes
    assert "Dropped 1 subscriptions cancelled during their trial (line 6): they never paid." in notes
    assert any(note.startswith("Derived start_date on 2 rows: the later of subscriptions.started_at")
               for note in notes)
    assert any(note.startswith("Derived amount on 1 row: subscriptions.plan_unit_price") for note in notes)
    assert any(note.startswith("1 non_renewing subscription ends at the cancellation") for note in notes)
    assert any(note.startswith("1 paused subscription counts as ended at the pause date") for note in notes)
    assert any(note.startswith("Add-ons, coupons and discounts are in other files") for note in notes)
    recompute_kpis(now=APRIL_END)
    # Jan 31: cb_1 100 + cb_3 1200/12 + cb_7 40 = 240 (cb_2 in trial).
    # Feb 29: 100 + 2 x 30 + 100 + 50 + 40 + 90/3 = 380.
    # Mar 31: cb_3 ended Mar 15, cb_7 paused Mar 8; cb_9 50 -> 100 + 60 + 50 + 30 + 50 = 290.
    # Apr 30: the same 290 (cb_10's trial ends May 4, cb_6 ends May 1).
    assert (kpi("mrr", "2024-01"), kpi("mrr", "2024-02"), kpi("mrr", "2024-03"), kpi("mrr", "2024-04")) == (
        Decimal("240"), Decimal("380"), Decimal("290"), Decimal("290"))


def test_stripe_balance_itemized_charges_and_refunds_in_fees_payouts_and_transfers_out():
    record = import_as_is(vendor_files.stripe_balance_itemized(), "Itemized_balance_change_from_activity.csv")
    succeeded(record, "stripe_balance_itemized", "invoices")
    stored = {i.invoice_id: (i.customer_id, str(i.date), i.amount, i.currency, i.status)
              for i in Invoice.objects.all()}
    assert stored == {
        "txn_1": ("cus_A", "2024-01-05", Decimal("120.00"), "USD", "paid"),
        "txn_2": ("cus_B", "2024-01-20", Decimal("50.00"), "USD", "paid"),
        "txn_4": ("cus_A", "2024-01-25", Decimal("-20.00"), "USD", "paid"),   # refund
        # created_utc is Jan 31st 23:30; the report's own time zone says Feb 1st.
        "txn_6": ("cus_A", "2024-02-01", Decimal("80.00"), "USD", "paid"),    # settled gross, not the EUR paid
        "txn_7": ("cus_B", "2024-02-10", Decimal("-50.00"), "USD", "paid"),   # dispute
    }
    notes = record.notes
    assert "Dropped 1 fees (line 4): Stripe's fees are a cost of the payments, not revenue." in notes
    assert "Dropped 1 payouts (line 6): a payout moves the balance to your bank; it is not revenue." in notes
    assert "Dropped 1 transfers and top-ups (line 9): money moved between accounts, not paid by a customer." \
        in notes
    assert any(note.startswith("Dropped 1 other balance movements (line 10)") for note in notes)
    assert "Reporting categories dropped as not revenue (rows): other_adjustment (1)." in notes
    recompute_kpis(now=APRIL_END)
    # January: 120 + 50 - 20 = 150 from two charges; February: 80 - 50 = 30 from one.
    assert (kpi("revenue", "2024-01"), kpi("orders", "2024-01")) == (Decimal("150"), Decimal("2"))
    assert (kpi("revenue", "2024-02"), kpi("orders", "2024-02")) == (Decimal("30"), Decimal("1"))


def test_ecb_reference_rates_become_month_averages_in_the_reporting_currency(acme):
    assert acme.tenant.currency == "USD"
    record = import_as_is(vendor_files.ecb_reference_rates(), "eurofxref-hist.csv")
    succeeded(record, "ecb_reference_rates", "fx_rates")
    stored = {(r.currency, r.month.isoformat()[:7]): r.rate for r in FxRate.objects.all()}
    assert stored == {
        # January: USD per euro 1.12, 1.10, 1.08 -> 1.10.
        ("EUR", "2024-01"): Decimal("1.1000000000"),
        # USD/GBP per day: 1.12 / 0.896 = 1.25, 1.10 / 0.88 = 1.25, 1.08 / 0.90 = 1.20 -> 3.70 / 3.
        ("GBP", "2024-01"): Decimal("1.2333333333"),
        # CHF not quoted on the 15th: (1.12 / 0.96 + 1.08 / 0.90) / 2 = (1.1666... + 1.2) / 2.
        ("CHF", "2024-01"): Decimal("1.1833333333"),
        # 160 yen per euro every day: 1.10 / 160.
        ("JPY", "2024-01"): Decimal("0.0068750000"),
        ("EUR", "2024-02"): Decimal("1.0800000000"),
        ("GBP", "2024-02"): Decimal("1.2500000000"),      # 1.08 / 0.864
        ("CHF", "2024-02"): Decimal("1.2000000000"),      # 1.08 / 0.90
        ("JPY", "2024-02"): Decimal("0.0066666667"),      # 1.08 / 162
    }                                                     # CYP: N/A every day, no rate
    notes = record.notes
    assert notes[0] == "Read as ECB euro reference rates (European Central Bank)."
    assert ("Each month's rate is the average of the ECB's daily reference rates in it (4 working days, 2 months "
            "from 2024-01 to 2024-02), as units of USD per unit: USD per euro divided by the currency per euro."
            ) in notes
    assert any(note.startswith("5 N/A cells") for note in notes)
    # The rates convert what is imported in those currencies.
    invoices = services.start_import(kind="invoices", upload=upload(records_csv([
        {"invoice_id": "E1", "date": "2024-01-10", "amount": "100.00", "currency": "EUR"},   # 110.00
        {"invoice_id": "J1", "date": "2024-01-20", "amount": "16000", "currency": "JPY"},    # 110.00
        {"invoice_id": "G1", "date": "2024-02-05", "amount": "40.00", "currency": "GBP"},    # 50.00
    ]), "invoices.csv"))
    running.run_import(import_id=str(invoices.pk))
    invoices.refresh_from_db()
    assert (invoices.status, invoices.rows_created) == ("succeeded", 3), invoices.errors
    recompute_kpis(now=APRIL_END)
    assert (kpi("revenue", "2024-01"), kpi("revenue", "2024-02")) == (Decimal("220"), Decimal("50"))
