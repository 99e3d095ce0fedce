"""The sources declared last (HubSpot deals, ...) imported with no options: stored
records and KPIs equal to the figures worked out by hand in the comments."""

from __future__ import annotations

from decimal import Decimal

import pytest

from metrics.kpis.compute import recompute_kpis
from metrics.models import Expense, Lead
from tests.metrics.imports import vendor_files
from tests.metrics.imports.test_sources_imports import APRIL_END, import_as_is, kpi, succeeded

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
    assert (kpi("leads", "2024-01"), kpi("qualified_leads", "2024-01")) == (Decimal("4"), Decimal("4"))
    assert kpi("lead_conversion_rate", "2024-01") == Decimal("50")
    assert kpi("leads", "2024-02") == Decimal("1")


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
    assert (kpi("marketing_spend", "2024-01"), kpi("marketing_spend", "2024-02")) == (Decimal("1600"), Decimal("0"))
    assert (kpi("total_expenses", "2024-01"), kpi("total_expenses", "2024-02")) == (Decimal("1600"),
                                                                                    Decimal("2045"))
