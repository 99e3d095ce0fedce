"""A customers file's extra columns (Stripe metadata, CRM fields) are kept by name as
the customer's attributes, and a filter can name them."""

from metrics.models import Customer
from metrics.segments import selectors
from tests.metrics.imports.builders import csv_bytes, import_file, import_records, xlsx_bytes


def attributes() -> dict:
    return {c.customer_id: c.attributes for c in Customer.objects.all()}


def test_extra_columns_of_a_customers_csv_become_named_attributes(in_acme):
    record = import_records("customers", [
        {"customer_id": "C1", "country": "DE", "Industry": "retail", "metadata.tier": "gold"},
        {"customer_id": "C2", "country": "FR", "Industry": "", "metadata.tier": "silver"}])
    assert record.status == "succeeded", record.errors
    assert attributes() == {"C1": {"industry": "retail", "metadata.tier": "gold"}, "C2": {"metadata.tier": "silver"}}
    assert any("Kept as customer attributes" in note and "industry" in note for note in record.notes)
    assert selectors.extra_attributes() == ["industry", "metadata.tier"]
    assert selectors.customer_filter("industry:retail").extra[0].values == ("retail",)


def test_a_later_file_updates_an_attribute_and_an_empty_cell_keeps_the_old_value(in_acme):
    import_records("customers", [{"customer_id": "C1", "industry": "retail", "size": "10"}])
    import_file("customers", csv_bytes(["customer_id", "industry", "size"], [["C1", "", "50"]]))
    assert attributes() == {"C1": {"industry": "retail", "size": "50"}}


def test_an_xlsx_and_a_quoted_csv_keep_them_too(in_acme):
    import_file("customers", xlsx_bytes(["customer_id", "plan_family"], [["C1", "growth"]]), name="c.xlsx")
    import_file("customers", b'customer_id,"crm, owner"\n"C2","Ann, B."\n\nC3,Bo\n')
    assert attributes() == {"C1": {"plan_family": "growth"}, "C2": {"crm,_owner": "Ann, B."}, "C3": {"crm,_owner": "Bo"}}


def test_other_kinds_still_ignore_extra_columns(in_acme):
    record = import_records("invoices", [{"invoice_id": "I1", "date": "2024-01-01", "amount": "1", "notes": "x"}])
    assert any("Ignored column that is not part of invoices: notes" in w for w in record.warnings)
