"""A vendor's customers export keeps the customer's own columns as named attributes
(issue 18, item 2; docs/sources.md): Stripe's metadata columns ("<key> (metadata)"),
HubSpot's CRM properties; the vendor's own bookkeeping columns are left out. A filter
then names them, and another company never sees them."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.db import connection

from metrics.imports import services
from metrics.imports.sources import SOURCES, detection
from metrics.models import Customer
from metrics.segments import selectors
from tests.metrics.imports import vendor_files
from tests.metrics.imports.builders import csv_bytes, import_file
from tests.metrics.kpis.builders import recompute, subscription

JAN, FEB = date(2025, 1, 1), date(2025, 2, 1)

# The Dashboard's customers export (Customers > Export, every column ticked): Stripe's
# own columns, then one column per metadata key set on the customers.
STRIPE_HEADER = ["id", "Description", "Email", "Name", "Created (UTC)", "Card ID", "Card Last4", "Card Brand",
                 "Currency", "Delinquent", "Balance", "Plan", "Status", "Cancel At Period End",
                 "industry (metadata)", "Company Size (metadata)"]


def stripe_row(customer_id: str, email: str, name: str, industry: str, size: str) -> list[str]:
    return [customer_id, "", email, name, "2024-01-03 09:15", "card_1", "4242", "Visa", "usd", "false", "0",
            "pro", "active", "false", industry, size]


def stripe_export(*rows: list[str], header=STRIPE_HEADER) -> bytes:
    return csv_bytes(header, list(rows))


def attributes() -> dict[str, dict]:
    return {c.customer_id: c.attributes for c in Customer.objects.order_by("customer_id")}


def test_a_stripe_export_keeps_its_metadata_columns_by_key_and_leaves_stripes_own_out(in_acme):
    record = import_file("customers", stripe_export(
        stripe_row("cus_A", "a@x.example", "Alpha", "saas", "11-50"),
        stripe_row("cus_B", "b@x.example", "Beta", "retail", "")))
    assert record.status == "succeeded", record.errors
    assert record.source == "stripe_customers"
    # Card ID, Delinquent, Currency ... are Stripe's, not who the customer is: not kept.
    assert attributes() == {"cus_A": {"industry": "saas", "company_size": "11-50"},
                            "cus_B": {"industry": "retail"}}
    assert ("Kept as customer attributes (a filter can name them): industry, company_size." in record.notes)
    assert selectors.extra_attributes() == ["company_size", "industry"]


def test_the_mrr_api_filtered_on_a_metadata_key_counts_only_those_customers(in_acme, acme_owner):
    import_file("customers", stripe_export(
        stripe_row("cus_A", "a@x.example", "Alpha", "saas", "11-50"),
        stripe_row("cus_B", "b@x.example", "Beta", "retail", "11-50"),
        stripe_row("cus_C", "c@x.example", "Gamma", "saas", "200+")))
    subscription(Customer.objects.get(customer_id="cus_A"), JAN, amount="100")
    subscription(Customer.objects.get(customer_id="cus_B"), JAN, amount="40")
    subscription(Customer.objects.get(customer_id="cus_C"), FEB, amount="7")
    recompute()
    connection.set_schema_to_public()
    mrr = "/api/v1/kpis/mrr/?period=2025-02"
    assert acme_owner.get(mrr).json()["value"] == 147
    assert acme_owner.get(f"{mrr}&filter=industry:saas").json()["value"] == 107
    assert acme_owner.get(f"{mrr}&filter=industry:saas,company_size:11-50").json()["value"] == 100
    assert acme_owner.get(f"{mrr}&filter=company_size:200%2B|11-50").json()["value"] == 147


def test_a_reimport_updates_a_metadata_value_and_an_empty_cell_keeps_the_old_one(in_acme):
    import_file("customers", stripe_export(stripe_row("cus_A", "a@x.example", "Alpha", "saas", "11-50")))
    record = import_file("customers", stripe_export(stripe_row("cus_A", "a@x.example", "Alpha", "", "51-200")))
    assert record.status == "succeeded", record.errors
    assert attributes() == {"cus_A": {"industry": "saas", "company_size": "51-200"}}


def test_a_metadata_key_named_like_a_customers_column_is_not_read_as_that_column(in_acme):
    # "country (metadata)" holding "Germany" would be refused as the country column
    # (ISO codes only), and a second "Industry (metadata)" would overwrite the first.
    header = [*STRIPE_HEADER, "country (metadata)", "Industry (metadata)"]
    row = [*stripe_row("cus_A", "a@x.example", "Alpha", "saas", ""), "Germany", "other"]
    record = import_file("customers", stripe_export(row, header=header))
    assert record.status == "succeeded", record.errors
    assert attributes() == {"cus_A": {"industry": "saas"}}
    assert Customer.objects.get().country == ""
    assert ("Not kept as customer attributes (named like a customers column or like another kept column): "
            "country (metadata), Industry (metadata).") in record.notes


def test_a_stripe_export_without_metadata_imports_as_before(in_acme):
    record = import_file("customers", vendor_files.stripe_customers())
    assert record.status == "succeeded", record.errors
    assert all(value == {} for value in attributes().values())
    assert not any("Kept as customer attributes" in note for note in record.notes)


# HubSpot's contacts export (one column per property, under its label), with an
# account's custom property "Plan Tier".
HUBSPOT_HEADER = ["Record ID", "First Name", "Last Name", "Email", "Phone Number", "Contact owner",
                  "Lifecycle Stage", "Lead Status", "Create Date", "Last Activity Date", "Original Source",
                  "Became a Customer Date", "Industry", "Plan Tier"]


def hubspot_export() -> bytes:
    return csv_bytes(HUBSPOT_HEADER, [
        ["601", "Ann", "Lee", "a@x.example", "+44 1", "Sam", "Customer", "Connected", "2024-01-05 10:23",
         "2025-01-02 08:00", "Organic Search", "2024-02-01 14:00", "Software", "Gold"],
        ["602", "Bo", "Chen", "new@x.example", "", "", "Evangelist", "", "2024-01-10 08:00", "", "Referrals",
         "", "Retail", ""],
        # Not a customer yet: a lead, imported as leads from the same export.
        ["603", "Cy", "Diaz", "c@x.example", "", "", "Lead", "New", "2024-01-12 16:45", "", "Paid Search", "",
         "Software", "Silver"],
        ["604", "Di", "Eng", "", "", "", "Customer", "", "2024-01-13 16:45", "", "Direct Traffic", "", "", ""]])


def test_a_hubspot_contacts_export_as_customers_keeps_crm_properties_on_the_matching_customer(in_acme):
    import_file("customers", stripe_export(stripe_row("cus_A", "a@x.example", "Alpha", "saas", "11-50")))
    record = import_file("customers", hubspot_export())
    assert record.status == "succeeded", record.errors
    assert record.source == "hubspot_contacts_customers"
    stored = {c.customer_id: (c.name, c.email, c.attributes) for c in Customer.objects.order_by("customer_id")}
    assert stored == {
        # Linked by e-mail: Stripe's name stays, its metadata too ("industry" is HubSpot's now).
        "cus_A": ("Alpha", "a@x.example", {"industry": "Software", "company_size": "11-50", "plan_tier": "Gold",
                                           "lifecycle_stage": "Customer", "lead_status": "Connected",
                                           "original_source": "Organic Search"}),
        # No customer has that address: a customer named by it.
        "new@x.example": ("", "new@x.example", {"industry": "Retail", "lifecycle_stage": "Evangelist",
                                                "original_source": "Referrals"}),
    }
    assert any(note.startswith("Dropped 1 contacts that are not customers (line 4)") for note in record.notes)
    assert any(note.startswith("Dropped 1 contacts without an e-mail (line 5)") for note in record.notes)
    assert ("Kept as customer attributes (a filter can name them): lifecycle_stage, lead_status, original_source, "
            "industry, plan_tier.") in record.notes


def test_undoing_the_crm_import_sets_the_attributes_it_added_back(in_acme):
    import_file("customers", stripe_export(stripe_row("cus_A", "a@x.example", "Alpha", "saas", "11-50")))
    crm = import_file("customers", hubspot_export())
    services.undo_import(record=crm)
    # Its columns did not change (same e-mail), its attributes did: they are set back.
    assert attributes() == {"cus_A": {"industry": "saas", "company_size": "11-50"}}


def test_undoing_a_metadata_reimport_sets_the_old_values_back(in_acme):
    import_file("customers", stripe_export(stripe_row("cus_A", "a@x.example", "Alpha", "saas", "11-50")))
    again = import_file("customers", stripe_export(stripe_row("cus_A", "a@x.example", "Alpha", "", "51-200")))
    services.undo_import(record=again)
    assert attributes() == {"cus_A": {"industry": "saas", "company_size": "11-50"}}


def test_the_mrr_api_filters_on_a_hubspot_custom_property(in_acme, acme_owner):
    import_file("customers", stripe_export(stripe_row("cus_A", "a@x.example", "Alpha", "saas", ""),
                                           stripe_row("cus_B", "b@x.example", "Beta", "saas", "")))
    import_file("customers", hubspot_export())
    subscription(Customer.objects.get(customer_id="cus_A"), JAN, amount="100")
    subscription(Customer.objects.get(customer_id="cus_B"), JAN, amount="40")
    recompute()
    connection.set_schema_to_public()
    answer = acme_owner.get("/api/v1/kpis/mrr/?period=2025-02&filter=plan_tier:Gold").json()
    assert answer["value"] == 100


def test_the_contacts_export_without_a_kind_is_still_read_as_leads():
    rows = detection.head_rows(io.BytesIO(hubspot_export()))
    found = detection.matching(list(SOURCES.values()), rows)
    assert [source.key for source in found] == ["hubspot_contacts", "hubspot_contacts_customers"]


@pytest.fixture
def acme_with_metadata(in_acme, acme_owner):
    import_file("customers", stripe_export(stripe_row("cus_A", "a@x.example", "Alpha", "saas", "11-50")))
    subscription(Customer.objects.get(customer_id="cus_A"), JAN, amount="100")
    recompute()
    connection.set_schema_to_public()


def test_another_company_never_sees_nor_filters_on_the_kept_attributes(acme_with_metadata, acme_owner,
                                                                       globex_owner, globex):
    assert acme_owner.get("/api/v1/kpis/mrr/?period=2025-02&filter=industry:saas").json()["value"] == 100
    refused = globex_owner.get("/api/v1/kpis/mrr/?period=2025-02&filter=industry:saas")
    assert refused.status_code == 400
    assert "industry" not in str(refused.json()).split("known attributes")[1]
    connection.set_tenant(globex.tenant)
    try:
        assert selectors.extra_attributes() == []
        assert not Customer.objects.filter(customer_id="cus_A").exists()
    finally:
        connection.set_schema_to_public()
