"""Replace, undo and delete (issue 15, data-contract.md "Replace" and "Undo"): each in
one transaction, audited in the import history, and confined to the tenant."""

from decimal import Decimal

import pytest
from django.db import connection

from metrics.imports import running, services
from metrics.models import Customer, DataImport, Expense, ImportChange, Invoice, Subscription, TrafficDay
from tests.conftest import host_client
from tests.metrics.imports.builders import csv_bytes, upload

INVOICE = ["invoice_id", "customer_id", "date", "amount", "status"]
CUSTOMER = ["customer_id", "name", "email"]
SUBSCRIPTION = ["subscription_id", "customer_id", "amount", "start_date"]


def run(kind, header, rows, *, mode="upsert", on_error="reject", handle=None):
    """An import as an upload makes it, its task run here (the test's transaction never
    commits, so the queued task is never sent)."""
    if handle is not None:
        connection.set_tenant(handle.tenant)
    record = services.start_import(kind=kind, upload=upload(csv_bytes(header, rows)), on_error=on_error,
                                   mode=mode)
    running.run_import(import_id=str(record.pk))
    record.refresh_from_db()
    record.job.refresh_from_db()
    return record


def invoices() -> dict:
    return {row.invoice_id: (row.amount, row.status, row.customer_id) for row in Invoice.objects.all()}


def undo(client, record):
    return client.post(f"/api/v1/imports/{record.pk}/undo/")


# --- Replace -----------------------------------------------------------------------------------

def test_replace_deletes_the_records_missing_from_the_file_in_the_same_import(in_acme, acme_owner):
    run("invoices", INVOICE, [["I1", "", "2024-01-05", "10", "paid"], ["I2", "", "2024-01-06", "20", "paid"],
                              ["I3", "", "2024-01-07", "30", "open"]])
    replaced = run("invoices", INVOICE, [["I1", "", "2024-01-05", "10", "paid"],
                                         ["I2", "", "2024-01-06", "25", "paid"],
                                         ["I4", "", "2024-01-08", "40", "paid"]], mode="replace")
    assert (replaced.status, replaced.rows_created, replaced.rows_updated, replaced.rows_unchanged,
            replaced.rows_deleted) == ("succeeded", 1, 1, 1, 1)
    assert sorted(invoices()) == ["I1", "I2", "I4"]
    body = acme_owner.get(f"/api/v1/imports/{replaced.pk}/").json()
    assert (body["mode"], body["rows_deleted"]) == ("replace", 1)
    # An upsert deletes nothing.
    connection.set_tenant(in_acme.tenant)
    kept = run("invoices", INVOICE, [["I1", "", "2024-01-05", "11", "paid"]])
    assert kept.rows_deleted == 0 and sorted(invoices()) == ["I1", "I2", "I4"]


def test_replacing_customers_keeps_those_other_records_refer_to_and_says_so(in_acme):
    run("customers", CUSTOMER, [["C1", "One", ""], ["C2", "Two", ""], ["C3", "Three", ""]])
    run("subscriptions", SUBSCRIPTION, [["S1", "C2", "50", "2024-01-01"]])
    replaced = run("customers", CUSTOMER, [["C1", "One", ""]], mode="replace")
    assert replaced.status == "succeeded" and replaced.rows_deleted == 1
    assert sorted(Customer.objects.values_list("customer_id", flat=True)) == ["C1", "C2"]
    assert Customer.objects.get(customer_id="C2").name == "Two"  # kept as it was
    assert any("1 customer missing from the file was kept" in warning and "subscriptions" in warning
               and "C2" in warning for warning in replaced.warnings), replaced.warnings


def test_a_replace_that_skips_rows_keeps_the_records_those_rows_name(in_acme):
    run("invoices", INVOICE, [["I1", "", "2024-01-05", "10", "paid"], ["I2", "", "2024-01-06", "20", "paid"],
                              ["I3", "", "2024-01-07", "30", "paid"]])
    replaced = run("invoices", INVOICE, [["I1", "", "2024-01-05", "10", "paid"],
                                         ["I2", "", "2024-01-06", "not money", "paid"]],
                   mode="replace", on_error="skip")
    assert (replaced.status, replaced.rows_rejected, replaced.rows_deleted) == ("succeeded", 1, 1)
    assert invoices() == {"I1": (Decimal("10.00"), "paid", None), "I2": (Decimal("20.00"), "paid", None)}


def test_a_replace_whose_rejected_row_has_no_readable_key_deletes_nothing(in_acme):
    run("traffic", ["date", "channel", "visits"], [["2024-01-01", "paid", "5"], ["2024-01-02", "paid", "6"]])
    replaced = run("traffic", ["date", "channel", "visits"], [["2024-01-01", "paid", "7"], ["2024-13-45", "paid", "1"]],
                   mode="replace", on_error="skip")
    assert replaced.status == "succeeded" and replaced.rows_deleted == 0
    assert TrafficDay.objects.count() == 2
    assert any(warning.startswith("Nothing was deleted (mode=replace): 1 row with errors has no readable key")
               for warning in replaced.warnings), replaced.warnings


def test_the_imports_page_offers_replace_and_posts_it(in_acme):
    from tests.metrics.imports.test_pages import browser_for

    browser = browser_for(in_acme, in_acme.owner_email)
    page = browser.get("/imports/?kind=invoices").content.decode()
    assert 'name="mode"' in page and '<option value="replace">' in page
    content = csv_bytes(INVOICE, [["P1", "", "2024-01-01", "5", "paid"]])
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = browser.post("/imports/", {"kind": "invoices", "mode": "replace",
                                          "file": SimpleUploadedFile("p.csv", content)})
    assert response.status_code == 302
    assert DataImport.objects.get().mode == "replace"


# --- Undo --------------------------------------------------------------------------------------

def test_undo_restores_updated_records_and_removes_created_ones(in_acme, acme_owner):
    first = run("invoices", INVOICE, [["I1", "", "2024-01-05", "10", "paid"], ["I2", "", "2024-01-06", "20", "open"]])
    before = invoices()
    second = run("invoices", INVOICE, [["I2", "", "2024-01-06", "25", "paid"], ["I3", "", "2024-01-07", "30", "paid"]])
    assert (second.rows_created, second.rows_updated) == (1, 1)
    response = undo(acme_owner, second)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["origin"], body["reverts"], body["status"]) == ("undo", str(second.pk), "succeeded")
    assert (body["rows_deleted"], body["rows_updated"], body["rows_created"]) == (1, 1, 0)
    connection.set_tenant(in_acme.tenant)
    assert invoices() == before
    second.refresh_from_db()
    assert second.undone_at is not None
    assert acme_owner.get(f"/api/v1/imports/{second.pk}/").json()["undone_at"]
    # Undos stack: the one before is now the latest import of the kind.
    assert undo(acme_owner, first).status_code == 200
    connection.set_tenant(in_acme.tenant)
    assert invoices() == {}


def test_undo_of_a_replace_puts_the_deleted_records_back_as_they_were(in_acme, acme_owner):
    run("expenses", ["expense_id", "date", "category", "amount", "description"],
        [["E1", "2024-01-31", "marketing", "100", "ads"], ["", "2024-01-31", "operating", "50", "rent, office"]])
    stored = sorted(Expense.objects.values_list("pk", "expense_id", "amount", "description"))
    replaced = run("expenses", ["expense_id", "date", "category", "amount"], [["E2", "2024-02-29", "sales", "7"]],
                   mode="replace")
    assert replaced.rows_deleted == 2 and Expense.objects.count() == 1
    assert undo(acme_owner, replaced).status_code == 200
    connection.set_tenant(in_acme.tenant)
    assert sorted(Expense.objects.values_list("pk", "expense_id", "amount", "description")) == stored


def test_only_the_latest_import_of_a_kind_can_be_undone_else_409_naming_the_later_one(in_acme, acme_owner):
    first = run("invoices", INVOICE, [["I1", "", "2024-01-05", "10", "paid"]])
    later = run("invoices", INVOICE, [["I2", "", "2024-01-06", "20", "paid"]])
    run("customers", CUSTOMER, [["C1", "One", ""]])  # another kind is not in the way
    response = undo(acme_owner, first)
    assert response.status_code == 409
    assert response.json()["later"] == str(later.pk) and str(later.pk) in response.json()["detail"]
    connection.set_tenant(in_acme.tenant)
    assert sorted(invoices()) == ["I1", "I2"] and DataImport.objects.filter(origin="undo").count() == 0
    assert undo(acme_owner, later).status_code == 200
    again = undo(acme_owner, later)
    assert again.status_code == 409 and "already undone" in again.json()["detail"]


def test_undo_after_a_partial_failure(in_acme, acme_owner):
    run("invoices", INVOICE, [["I1", "", "2024-01-05", "10", "paid"]])
    before = invoices()
    partial = run("invoices", INVOICE, [["I1", "", "2024-01-05", "15", "paid"], ["I2", "", "bad", "1", "paid"],
                                        ["I3", "", "2024-01-07", "30", "paid"]], on_error="skip")
    assert (partial.status, partial.rows_rejected, partial.rows_created, partial.rows_updated) == (
        "succeeded", 1, 1, 1)
    # A later import that failed wrote nothing: it is not in the way, and cannot be undone itself.
    failed = run("invoices", INVOICE, [["I9", "", "bad", "1", "paid"]])
    assert failed.status == "failed"
    refused = undo(acme_owner, failed)
    assert refused.status_code == 409 and "did not succeed" in refused.json()["detail"]
    assert undo(acme_owner, partial).status_code == 200
    connection.set_tenant(in_acme.tenant)
    assert invoices() == before


def test_undo_removes_the_bare_customers_an_import_made_unless_others_refer_to_them(in_acme, acme_owner):
    run("customers", CUSTOMER, [["C1", "Known", ""]])
    subscriptions = run("subscriptions", SUBSCRIPTION, [["S1", "C1", "50", "2024-01-01"],
                                                        ["S2", "C8", "60", "2024-01-01"],
                                                        ["S3", "C9", "70", "2024-01-01"]])
    assert sorted(Customer.objects.filter(is_bare=True).values_list("customer_id", flat=True)) == ["C8", "C9"]
    run("invoices", INVOICE, [["I1", "C9", "2024-01-05", "10", "paid"]])  # C9 is needed by an invoice now
    body = undo(acme_owner, subscriptions).json()
    connection.set_tenant(in_acme.tenant)
    assert Subscription.objects.count() == 0
    assert sorted(Customer.objects.values_list("customer_id", flat=True)) == ["C1", "C9"]
    assert any("1 bare customer this import had made was removed too" in warning for warning in body["warnings"])


def test_undoing_a_customers_import_leaves_customers_later_records_need_bare(in_acme, acme_owner):
    customers = run("customers", CUSTOMER, [["C1", "One", "one@example.com"], ["C2", "Two", ""]])
    run("invoices", INVOICE, [["I1", "C1", "2024-01-05", "10", "paid"]])
    body = undo(acme_owner, customers).json()
    assert (body["rows_deleted"], body["rows_updated"]) == (1, 1)
    connection.set_tenant(in_acme.tenant)
    assert list(Customer.objects.values_list("customer_id", "name", "email", "is_bare")) == [("C1", "", "", True)]
    assert Invoice.objects.get().customer_id == "C1"


def test_undo_and_delete_are_for_admins(in_acme, acme):
    from accounts import services as accounts

    record = run("invoices", INVOICE, [["I1", "", "2024-01-05", "10", "paid"]])
    member = accounts.add_member(email="m@acme.example", password="correct-horse-battery-staple", role="member")
    client = host_client(acme.host, accounts.issue_token(member))
    assert undo(client, record).status_code == 403
    assert client.delete("/api/v1/data/invoices/I1/").status_code == 403
    assert client.post(f"/api/v1/imports/{record.pk}/retry/").status_code == 403
    connection.set_tenant(acme.tenant)
    assert sorted(invoices()) == ["I1"]


# --- Delete one record ---------------------------------------------------------------------------

def test_deleting_one_record_is_204_audited_and_undoable(in_acme, acme_owner):
    run("invoices", INVOICE, [["I1", "", "2024-01-05", "10", "paid"], ["I2", "", "2024-01-06", "20", "paid"]])
    before = invoices()
    assert acme_owner.delete("/api/v1/data/invoices/I1/").status_code == 204
    assert acme_owner.delete("/api/v1/data/invoices/I1/").status_code == 404
    assert acme_owner.delete("/api/v1/data/invoices/nope/").status_code == 404
    assert acme_owner.delete("/api/v1/data/planets/I1/").status_code == 404
    connection.set_tenant(in_acme.tenant)
    assert sorted(invoices()) == ["I2"]
    audit = DataImport.objects.get(origin="delete")
    assert (audit.kind, audit.rows_deleted, audit.status, audit.file_name) == (
        "invoices", 1, "succeeded", "invoices I1")
    assert ImportChange.objects.filter(data_import=audit).count() == 1
    assert undo(acme_owner, audit).status_code == 200
    connection.set_tenant(in_acme.tenant)
    assert invoices() == before


def test_a_composite_key_is_its_values_joined_by_commas_or_query_parameters(in_acme, acme_owner):
    run("traffic", ["date", "channel", "visits"], [["2024-01-15", "paid", "5"], ["2024-01-15", "organic", "6"],
                                                   ["2024-01-16", "a,b", "7"]])
    run("fx_rates", ["currency", "month", "rate"], [["EUR", "2024-01", "1.1"]])
    assert acme_owner.delete("/api/v1/data/traffic/2024-01-15,paid/").status_code == 204
    assert acme_owner.delete("/api/v1/data/traffic/2024-01-16,a,b/").status_code == 204  # the last value whole
    assert acme_owner.delete("/api/v1/data/traffic/-/?date=2024-01-15&channel=organic").status_code == 204
    assert acme_owner.delete("/api/v1/data/traffic/2024-01-15/").status_code == 404
    assert acme_owner.delete("/api/v1/data/fx_rates/EUR,2024-01/").status_code == 204
    connection.set_tenant(in_acme.tenant)
    assert TrafficDay.objects.count() == 0


def test_an_expense_is_found_by_its_id_else_by_its_other_key_among_those_without_one(in_acme, acme_owner):
    run("expenses", ["expense_id", "date", "category", "channel", "amount", "description"],
        [["E1", "2024-01-31", "marketing", "paid", "100", "ads"],
         ["", "2024-01-31", "marketing", "paid", "100", "ads, search / brand"]])
    assert acme_owner.delete("/api/v1/data/expenses/2024-01-31,marketing,paid,ads, search / brand/").status_code == 204
    connection.set_tenant(in_acme.tenant)
    assert list(Expense.objects.values_list("expense_id", flat=True)) == ["E1"]
    assert acme_owner.delete("/api/v1/data/expenses/2024-01-31,marketing,paid,ads/").status_code == 404
    assert acme_owner.delete("/api/v1/data/expenses/E1/").status_code == 204


def test_a_customer_others_refer_to_is_not_deleted(in_acme, acme_owner):
    run("invoices", INVOICE, [["I1", "C1", "2024-01-05", "10", "paid"], ["I2", "C1", "2024-01-06", "10", "paid"]])
    response = acme_owner.delete("/api/v1/data/customers/C1/")
    assert response.status_code == 409
    assert "2 invoices refer to it" in response.json()["detail"]
    connection.set_tenant(in_acme.tenant)
    assert Customer.objects.filter(customer_id="C1").exists()
    assert not DataImport.objects.filter(origin="delete").exists()


# --- Another tenant ------------------------------------------------------------------------------

def test_another_tenant_can_neither_undo_an_import_nor_delete_a_record(acme, globex, acme_owner, globex_owner, db):
    record = run("invoices", INVOICE, [["I1", "", "2024-01-05", "10", "paid"]], handle=acme)
    run("invoices", INVOICE, [["I1", "", "2024-01-05", "99", "paid"]], handle=globex)
    assert undo(globex_owner, record).status_code == 404
    assert globex_owner.post(f"/api/v1/imports/{record.pk}/retry/").status_code == 404
    assert host_client(globex.host, acme.owner_token).post(f"/api/v1/imports/{record.pk}/undo/").status_code == 401
    # Globex deletes its own I1; acme's stays.
    assert globex_owner.delete("/api/v1/data/invoices/I1/").status_code == 204
    assert globex_owner.delete("/api/v1/data/invoices/I1/").status_code == 404
    connection.set_tenant(acme.tenant)
    assert invoices() == {"I1": (Decimal("10.00"), "paid", None)}
    assert DataImport.objects.get(pk=record.pk).undone_at is None
    assert not DataImport.objects.filter(origin__in=["undo", "delete"]).exists()


# --- Pages ---------------------------------------------------------------------------------------

@pytest.fixture
def owner_browser(in_acme):
    from tests.metrics.imports.test_pages import browser_for

    return browser_for(in_acme, in_acme.owner_email)


def test_the_latest_imports_page_has_an_undo_button_with_a_confirmation(owner_browser, in_acme):
    first = run("invoices", INVOICE, [["I1", "", "2024-01-05", "10", "paid"]])
    later = run("invoices", INVOICE, [["I1", "", "2024-01-05", "12", "paid"]])
    assert f"/imports/{first.pk}/undo/" not in owner_browser.get(f"/imports/{first.pk}/").content.decode()
    page = owner_browser.get(f"/imports/{later.pk}/").content.decode()
    assert f'action="/imports/{later.pk}/undo/"' in page and 'data-confirm="Undo this import?' in page
    response = owner_browser.post(f"/imports/{later.pk}/undo/")
    assert response.status_code == 302
    connection.set_tenant(in_acme.tenant)
    done = DataImport.objects.get(origin="undo")
    assert response["Location"] == f"/imports/{done.pk}/"
    assert invoices()["I1"][0] == Decimal("10.00")
    undo_page = owner_browser.get(response["Location"]).content.decode()
    assert "The import was undone" in undo_page and f"/imports/{later.pk}/" in undo_page
    assert "This import was undone on" in owner_browser.get(f"/imports/{later.pk}/").content.decode()
    history = owner_browser.get("/imports/").content.decode()
    assert '<span class="chip">undo</span>' in history and '<span class="chip">undone</span>' in history
    # Refused undo: the page says why.
    refused = owner_browser.post(f"/imports/{later.pk}/undo/", follow=True).content.decode()
    assert "already undone" in refused


def test_the_data_page_deletes_a_record_for_admins_only(owner_browser, in_acme):
    from tests.metrics.imports.test_pages import browser_for

    run("traffic", ["date", "channel", "visits"], [["2024-01-15", "paid", "5"], ["2024-01-16", "paid", "6"]])
    page = owner_browser.get("/data/traffic/").content.decode()
    assert 'action="/data/traffic/delete/"' in page and 'name="key" value="2024-01-15,paid"' in page
    response = owner_browser.post("/data/traffic/delete/", {"key": "2024-01-15,paid", "key_date": "2024-01-15",
                                                            "key_channel": "paid"}, follow=True)
    assert "Deleted traffic 2024-01-15,paid" in response.content.decode()
    connection.set_tenant(in_acme.tenant)
    assert list(TrafficDay.objects.values_list("channel", "date__day")) == [("paid", 16)]
    assert "deleted" in owner_browser.get("/imports/").content.decode()
    from accounts import services as accounts

    accounts.add_member(email="v@acme.example", password="correct-horse-battery-staple", role="member")
    member = browser_for(in_acme, "v@acme.example")
    assert "/data/traffic/delete/" not in member.get("/data/traffic/").content.decode()
    assert member.post("/data/traffic/delete/", {"key": "2024-01-16,paid"}).status_code == 403
