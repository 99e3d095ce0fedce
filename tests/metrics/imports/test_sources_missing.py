"""The sources declared last (HubSpot deals, ...) imported with no options: stored
records and KPIs equal to the figures worked out by hand in the comments."""

from __future__ import annotations

from decimal import Decimal

import pytest

from metrics.kpis.compute import recompute_kpis
from metrics.models import Expense, Lead, Subscription
from tests.metrics.imports import vendor_files
from tests.metrics.imports.test_sources_imports import (
    APRIL_END,
    import_as_is,
    kpi,
    succeeded,
)

pytestmark = pytest.mark.usefixtures("in_acme")


def test_hubspot_deals_as_qualified_leads_converted_when_closed_won():
    record = import_as_is(vendor_files.hubspot_deals(), "deals.csv")
    succeeded(record, "hubspot_deals", "leads")
    stored = {lead.lead_id: (str(lead.created_date), lead.channel, lead.qualified, str(lead.converted_date),
                             lead.customer_id) for lead in Lead.objects.all()}
    assert stored == {"9001": ("2024-01-05", "Organic Search", True, "2024-02-01", "ann@x.example"),
                      "9002": ("2024-01-10", "Paid Search", True, "None", ""),
                      "9003": ("2024-01-12", "Referrals", True, "None", ""),
                      "9004": ("2024-01-15", "Direct Traffic", True, "2024-01-25", "di@x.example"),
                      "9005": ("2024-02-02", "Offline Sources", True, "None", "")}
    assert record.notes[0] == "Read as HubSpot deals export (HubSpot)."
    assert any(note.startswith("Deal stages that are not the default pipeline's, read as not won: "
                               "Pilot running (1 row).") for note in record.notes)
    recompute_kpis(now=APRIL_END)
    # January: four deals, all qualified; two closed won (Feb 1st, Jan 25th) -> 50 %.
    assert (kpi("leads", "2024-01"), kpi("qualified_leads", "2024-01")) == (Decimal(4), Decimal(4))
    assert kpi("lead_conversion_rate", "2024-01") == Decimal(50)
    assert kpi("leads", "2024-02") == Decimal(1)


def test_xero_account_transactions_as_expenses_by_account():
    record = import_as_is(vendor_files.xero_account_transactions(), "AccountTransactions.csv")
    succeeded(record, "xero_account_transactions", "expenses")
    stored = sorted((str(e.date), e.category, e.amount, e.currency, e.description) for e in Expense.objects.all())
    assert stored == [
        ("2024-01-10", "marketing", Decimal("500.00"), "USD", "Advertising: Google Ads"),
        # The euro bill at its base-currency amount.
        ("2024-01-20", "marketing", Decimal("1100.00"), "USD", "Advertising: Facebook ads"),
        ("2024-02-01", "operating", Decimal("2000.00"), "USD", "Rent: February rent"),
        ("2024-02-15", "other", Decimal("45.00"), "USD", "Software Licences: Figma"),
    ]
    notes = record.notes
    assert notes[0] == "Read as Xero Account Transactions report (Xero)."
    assert any(note.startswith("Dropped 8 opening and closing balances (lines ") and
               note.endswith("): a balance is not a transaction.") for note in notes)
    assert "Accounts left out as not expenses (rows): Business Bank Account (1)." in notes
    assert any(note.startswith("1 account was not recognised and imported as category other: Software Licences (1 "
                               "row).") for note in notes)
    assert any(note.startswith("Dropped 1 credits totalling 100.00") for note in notes)
    # Importing the same report again changes nothing: the made-up ids are stable.
    again = import_as_is(vendor_files.xero_account_transactions(), "AccountTransactions.csv")
    assert (again.rows_created, Expense.objects.count()) == (0, 4)
    recompute_kpis(now=APRIL_END)
    # January: marketing 500 + 1,100; February: rent 2,000 + other 45 (the 100.00 credit is not imported).
    assert (kpi("marketing_spend", "2024-01"), kpi("marketing_spend", "2024-02")) == (Decimal(1600), Decimal(0))
    assert (kpi("total_expenses", "2024-01"), kpi("total_expenses", "2024-02")) == (Decimal(1600),
                                                                                    Decimal(2045))


def test_baremetrics_subscriptions_cents_periods_and_cancellations():
    record = import_as_is(vendor_files.baremetrics_subscriptions(), "subscriptions.csv")
    succeeded(record, "baremetrics_subscriptions", "subscriptions")
    stored = {s.subscription_id: (s.customer_id, s.plan, s.amount, s.quantity, s.interval, str(s.start_date),
                                  str(s.end_date)) for s in Subscription.objects.all()}
    assert stored == {
        "subscription_1": ("customer_1", "Growth", Decimal("100.00"), 1, "month", "2024-01-05", "None"),
        "subscription_2": ("customer_2", "Growth annual", Decimal("1200.00"), 1, "year", "2024-01-15", "2024-03-15"),
        "subscription_3": ("customer_3", "Quarterly", Decimal("90.00"), 1, "quarter", "2024-02-01", "None"),
        # 300.00 every 6 months -> 50.00 a month.
        "subscription_4": ("customer_4", "Half-yearly", Decimal("50.00"), 2, "month", "2024-03-01", "None"),
        "subscription_5": ("customer_1", "Growth", Decimal("100.00"), 1, "month", "2024-02-10", "None"),
    }
    assert record.notes[0] == "Read as Baremetrics subscription import template (Baremetrics)."
    assert any(note.startswith("Plans renewing every 6 month (1 row) imported as monthly") for note in record.notes)
    recompute_kpis(now=APRIL_END)
    # Jan 31: 100 + 1,200 / 12 = 200. Feb 29: 100 + 100 + 90 / 3 + 100 = 330.
    # Mar 31: subscription_2 cancelled Mar 15; 100 + 30 + 2 x 50 + 100 = 330.
    assert (kpi("mrr", "2024-01"), kpi("mrr", "2024-02"), kpi("mrr", "2024-03")) == (
        Decimal(200), Decimal(330), Decimal(330))
