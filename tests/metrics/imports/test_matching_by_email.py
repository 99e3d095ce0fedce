"""Matching across tools (data-contract.md): a customer_id cell holding an e-mail links
to the customer with that e-mail, trimmed and case-insensitively; an address no
customer has is reported, one that several customers share is reported and never
guessed."""

from __future__ import annotations

import pytest

from metrics.models import Customer, ImportedSurveyResponse, Invoice, Lead, Ticket
from tests.metrics.imports import vendor_files
from tests.metrics.imports.builders import import_file, import_records
from tests.metrics.imports.test_sources_imports import import_as_is, succeeded

pytestmark = pytest.mark.usefixtures("in_acme")


@pytest.fixture
def customers():
    record = import_records("customers", [
        {"customer_id": "C1", "name": "Ann", "email": "ann@x.example"},
        {"customer_id": "C2", "name": "Bo", "email": "Bo@X.example"},
        # Two customers of one team share its address.
        {"customer_id": "C3", "name": "Team one", "email": "team@x.example"},
        {"customer_id": "C4", "name": "Team two", "email": "TEAM@x.example"},
        # A customer whose own id is an e-mail (a bare one an earlier import made, filled in).
        {"customer_id": "old@x.example", "name": "Old", "email": ""},
        {"customer_id": "C5", "name": "New", "email": "old@x.example"},
    ])
    assert record.job.status == "succeeded", record.errors


def test_leads_link_by_email_trimmed_and_in_any_case_and_report_the_unmatched(customers):
    record = import_records("leads", [
        {"lead_id": "L1", "created_date": "2024-01-05", "customer_id": " ANN@x.example "},
        {"lead_id": "L2", "created_date": "2024-01-06", "customer_id": "bo@x.example"},
        {"lead_id": "L3", "created_date": "2024-01-07", "customer_id": "zed@x.example"},
        {"lead_id": "L4", "created_date": "2024-01-08", "customer_id": "C1"},
        {"lead_id": "L5", "created_date": "2024-01-09", "customer_id": ""},
        # An id that is a customer's own id stays that customer, whoever else has the address.
        {"lead_id": "L6", "created_date": "2024-01-10", "customer_id": "old@x.example"},
    ])
    assert record.job.status == "succeeded", record.errors
    assert dict(Lead.objects.values_list("lead_id", "customer_id")) == {
        "L1": "C1", "L2": "C2", "L3": "zed@x.example", "L4": "C1", "L5": "", "L6": "old@x.example"}
    assert any(note.startswith("customer_id: 2 e-mails linked to the customer with that e-mail")
               for note in record.notes), record.notes
    unmatched = [warning for warning in record.warnings if "match none of your customers" in warning
                 or "matches none of your customers" in warning]
    assert unmatched == [("1 customer_id e-mail matches none of your customers' e-mails; it was kept as given, "
                          "not linked: zed@x.example. Import those customers (with their e-mail) and this file "
                          "again to link them.")]
    # Once that customer exists, the same file links the lead (an update, not a new lead).
    import_records("customers", [{"customer_id": "C9", "email": "zed@x.example"}])
    again = import_records("leads", [
        {"lead_id": "L3", "created_date": "2024-01-07", "customer_id": "zed@x.example"}])
    assert (again.rows_updated, Lead.objects.get(lead_id="L3").customer_id) == (1, "C9")


def test_tickets_with_a_shared_email_stay_unlinked_and_say_whose_it_is(customers):
    record = import_records("tickets", [
        {"ticket_id": "T1", "opened_at": "2024-01-15T09:30:00", "customer_id": "team@x.example"},
        {"ticket_id": "T2", "opened_at": "2024-01-15T10:30:00", "customer_id": "Ann@x.example"},
    ])
    assert record.job.status == "succeeded", record.errors
    assert dict(Ticket.objects.values_list("ticket_id", "customer_id")) == {"T1": "team@x.example", "T2": "C1"}
    assert ("1 customer_id e-mail belongs to more than one of your customers, so which one is meant is "
            "unknown; it was kept as given, not linked: team@x.example (C3, C4). Give those customers "
            "different e-mails, or write the customer_id in the file.") in record.warnings


def test_survey_answers_link_by_email(customers):
    record = import_records("survey_responses", [
        {"response_id": "R1", "survey_type": "nps", "score": "9", "responded_at": "2024-01-20T11:00:00",
         "customer_id": "bo@x.example"},
        {"survey_type": "csat", "score": "4", "responded_at": "2024-01-21T08:30:00",
         "email": "ann@x.example", "customer_id": "ann@x.example"},
    ])
    assert record.job.status == "succeeded", record.errors
    assert sorted(ImportedSurveyResponse.objects.values_list("survey_type", "customer_id", "email")) == [
        ("csat", "C1", "ann@x.example"), ("nps", "C2", "")]


def test_invoices_reject_a_shared_email_and_make_unmatched_ones_bare_customers(customers):
    rows = [{"invoice_id": "I1", "customer_id": "ann@x.example", "date": "2024-01-05", "amount": "10.00"},
            {"invoice_id": "I2", "customer_id": "team@x.example", "date": "2024-01-06", "amount": "20.00"},
            {"invoice_id": "I3", "customer_id": "new@x.example", "date": "2024-01-07", "amount": "30.00"}]
    refused = import_records("invoices", rows)
    assert refused.job.status == "failed"
    assert refused.errors == [{"line": 3, "column": "customer_id", "value": "team@x.example",
                               "message": "this e-mail belongs to more than one of your customers, so which one "
                                          "is meant is unknown: write that customer's customer_id instead"}]
    assert not Invoice.objects.exists()
    record = import_records("invoices", rows, on_error="skip")
    assert dict(Invoice.objects.values_list("invoice_id", "customer_id")) == {"I1": "C1", "I3": "new@x.example"}
    assert Customer.objects.get(customer_id="new@x.example").is_bare
    assert any("created as bare customers: new@x.example" in warning for warning in record.warnings)


def test_a_help_desk_export_with_requester_emails_links_its_tickets():
    import_records("customers", [{"customer_id": "cus_A", "email": "A@x.example"},
                                 {"customer_id": "cus_B", "email": "b@x.example"}])
    record = import_as_is(vendor_files.zendesk_tickets(), "tickets.csv")
    succeeded(record, "zendesk_tickets", "tickets")
    assert dict(Ticket.objects.values_list("ticket_id", "customer_id")) == {
        "101": "cus_A", "102": "cus_B", "103": "c@x.example"}
    assert any("kept as given, not linked: c@x.example" in warning for warning in record.warnings)


def test_a_store_export_links_orders_to_customers_by_email():
    import_records("customers", [{"customer_id": "cus_A", "email": "a@x.example"}])
    record = import_file("invoices", vendor_files.shopify_orders(), name="orders_export.csv")
    assert record.job.status == "succeeded", record.errors
    assert Invoice.objects.get(invoice_id="#1001").customer_id == "cus_A"
    assert not Customer.objects.filter(customer_id="a@x.example").exists()
