"""Mapping a file onto a kind through the API: preview, import with the mapping, the
records written, and the same header mapped again without being asked; refused
mappings; and (hypothesis) any renaming and reordering of a valid file's columns,
mapped back, gives the same records as the plain file."""

from __future__ import annotations

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics.imports import running, services
from metrics.models import Customer, DataImport, Invoice, SavedMapping
from tests.metrics.imports.builders import csv_bytes, import_file, upload

HEADER = ["Invoice #", "Client", "Issued", "Charged", "Memo"]


def post_import(client, content: bytes, **fields):
    return client.post("/api/v1/imports/", {"file": SimpleUploadedFile("billing.csv", content), **fields},
                       format="multipart")


def run(client, tenant, body: dict) -> dict:
    connection.set_tenant(tenant)
    running.run_import(import_id=body["id"])
    connection.set_schema_to_public()
    return client.get(f"/api/v1/imports/{body['id']}/").json()


def test_a_mapping_round_trip_preview_import_records_and_the_same_header_again(acme_owner, acme):
    first = csv_bytes(HEADER, [["B-1", "C1", "2024-01-05", "120.00", "x"], ["B-2", "C2", "2024-01-09", "80.00", ""]])
    preview = acme_owner.post("/api/v1/imports/preview/", {"file": SimpleUploadedFile("billing.csv", first),
                                                           "kind": "invoices"}, format="multipart").json()
    # Net is no name the suggestions know: the person picks it, and sets the status.
    assert preview["mapping"]["amount"] is None
    assert [item["column"] for item in preview["problems"]] == ["amount"]
    mapping = {**preview["mapping"], "amount": "Charged", "status": {"value": "open"}}
    response = post_import(acme_owner, first, kind="invoices", mapping=json.dumps(mapping))
    assert response.status_code == 202, response.content
    assert response.json()["mapping"] == mapping
    done = run(acme_owner, acme.tenant, response.json())
    assert (done["status"], done["rows_created"]) == ("succeeded", 2)
    assert "Not imported (no column of invoices takes it): “Memo”." in done["notes"]
    connection.set_tenant(acme.tenant)
    stored = {(invoice.invoice_id, invoice.customer.customer_id, str(invoice.date), str(invoice.amount),
               invoice.status) for invoice in Invoice.objects.select_related("customer")}
    assert stored == {("B-1", "C1", "2024-01-05", "120.00", "open"), ("B-2", "C2", "2024-01-09", "80.00", "open")}
    saved = SavedMapping.objects.get()
    assert (saved.kind, saved.header, saved.mapping) == ("invoices", HEADER, mapping)
    connection.set_schema_to_public()

    # The same header next month: no kind, no mapping; the remembered one is applied.
    again = csv_bytes([" invoice # ", "CLIENT", "Issued", "Charged", "Memo"],
                      [["B-3", "C1", "2024-02-05", "130.00", ""]])
    offered = acme_owner.post("/api/v1/imports/preview/", {"file": SimpleUploadedFile("b.csv", again)},
                              format="multipart").json()
    assert (offered["kind"], offered["remembered"], offered["mapping"]["amount"]) == ("invoices", True, "Charged")
    assert offered["rows"][0]["values"]["status"] == "open" and offered["problems"] == []
    response = post_import(acme_owner, again)
    assert response.status_code == 202, response.content
    done = run(acme_owner, acme.tenant, response.json())
    assert (done["status"], done["rows_created"], done["mapping"]) == ("succeeded", 1, mapping)
    assert any(note.startswith("No mapping was given, so the one confirmed by owner@acme.example on ")
               for note in done["notes"])
    connection.set_tenant(acme.tenant)
    assert str(Invoice.objects.get(invoice_id="B-3").amount) == "130.00"


def test_a_mapping_that_changes_nothing_is_not_recorded_nor_remembered(acme_owner, acme):
    content = csv_bytes(["invoice_id", "date", "amount"], [["N1", "2024-01-05", "1.00"]])
    mapping = {"invoice_id": "invoice_id", "date": "date", "amount": "amount", "status": None}
    body = post_import(acme_owner, content, kind="invoices", mapping=json.dumps(mapping)).json()
    assert body["mapping"] == {}
    assert run(acme_owner, acme.tenant, body)["status"] == "succeeded"
    connection.set_tenant(acme.tenant)
    assert not SavedMapping.objects.exists()


def test_a_mapping_naming_what_is_not_there_is_refused_before_anything_runs(acme_owner, acme):
    content = csv_bytes(HEADER, [["B-1", "C1", "2024-01-05", "120.00", ""]])
    response = post_import(acme_owner, content, kind="invoices",
                           mapping=json.dumps({"invoice_id": "Invoice #", "amount": "Total", "price": "Charged"}))
    assert response.status_code == 400
    assert response.json()["mapping"] == [
        "amount: the file has no column “Total” (its columns: “Invoice #”, “Client”, “Issued”, “Charged”, “Memo”).",
        ("“price” is not a column of invoices (its columns: invoice_id, customer_id, date, amount, currency, "
         "status).")]
    assert post_import(acme_owner, content, kind="invoices", mapping="[1, 2]").status_code == 400
    connection.set_tenant(acme.tenant)
    assert DataImport.objects.count() == 0


def test_a_file_without_a_kind_or_a_remembered_mapping_is_still_refused_as_before(acme_owner):
    content = csv_bytes(HEADER, [["B-1", "C1", "2024-01-05", "120.00", ""]])
    response = post_import(acme_owner, content)
    assert response.status_code == 400
    assert response.json()["kind"][0].startswith("Choose the kind of data")


# --- Any mapping of a valid file gives the records of the plain file ----------------------------

CUSTOMERS = ["customer_id", "name", "email", "signup_date", "channel", "country", "segment"]
ROWS = [["K1", "Northwind", "a@northwind.example", "2024-01-15", "paid", "GB", "agency"],
        ["K2", "Contoso", "", "2024-02-03", "organic", "DE", "agency"],
        ["K3", "Fabrikam", "f@fabrikam.example", "", "", "US", "agency"]]


def stored_customers() -> list[tuple]:
    return sorted(Customer.objects.values_list(*CUSTOMERS))


def imported(content: bytes, **options) -> list[tuple]:
    """The customers an import of ``content`` stores, then rolled back."""
    with transaction.atomic():
        record = import_file("customers", content, **options)
        assert record.status == "succeeded", (record.errors, record.job.error)
        found = stored_customers()
        transaction.set_rollback(True)
    return found


@st.composite
def mapped_files(draw):
    """The customers file with its columns renamed and reordered (and maybe one more
    column nothing takes, and segment given as a constant), and the mapping back."""
    names = draw(st.lists(st.text("abcdefghijklmnopqrstuvwxyz ", min_size=3, max_size=12)
                          .map(str.strip).filter(lambda name: len(name) >= 3),
                          min_size=len(CUSTOMERS), max_size=len(CUSTOMERS),
                          unique_by=lambda name: name.replace(" ", "_")))
    renamed = dict(zip(CUSTOMERS, (f"x {name}" for name in names)))
    order = draw(st.permutations(CUSTOMERS))
    constant_segment = draw(st.booleans())
    extra = draw(st.booleans())
    columns = [column for column in order if not (constant_segment and column == "segment")]
    header = [renamed[column] for column in columns] + (["x unused"] if extra else [])
    rows = [[row[CUSTOMERS.index(column)] for column in columns] + (["junk"] if extra else []) for row in ROWS]
    mapping = {column: renamed[column] for column in columns}
    if constant_segment:
        mapping["segment"] = {"value": "agency"}
    return csv_bytes(header, rows), mapping


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=mapped_files())
def test_any_mapping_of_a_valid_file_gives_the_records_of_the_plain_file(in_acme, case):
    content, mapping = case
    plain = imported(csv_bytes(CUSTOMERS, ROWS))
    assert len(plain) == 3
    with transaction.atomic():
        record = services.start_import(kind="customers", upload=upload(content), mapping=mapping)
        running.run_import(import_id=str(record.pk))
        record.refresh_from_db()
        assert record.status == "succeeded", (record.errors, record.job.error)
        assert stored_customers() == plain
        transaction.set_rollback(True)
