"""POST /api/v1/imports/preview/: what an import would do with a file, from its head:
a plain file, a vendor export (its source detected and applied), a file that needs a
mapping, and a 100 MB file of which only the head is read."""

from __future__ import annotations

import os
import time

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from metrics.imports import mapping, preview, services
from metrics.models import Invoice, SavedMapping
from tests.metrics.imports import vendor_files
from tests.metrics.imports.builders import csv_bytes


def preview_of(client, content: bytes, name: str = "file.csv", **fields):
    response = client.post("/api/v1/imports/preview/", {"file": SimpleUploadedFile(name, content), **fields},
                           format="multipart")
    assert response.status_code == 200, response.content
    return response.json()


def column(body: dict, name: str) -> dict:
    return next(item for item in body["columns"] if item["name"] == name)


def test_a_plain_file_shows_its_rows_as_stored_and_the_real_cause_of_each_refusal(acme_owner, acme):
    content = csv_bytes(["invoice_id", "date", "amount", "status"], [
        ["P1", "2024-01-05", "10.50", "open"],
        ["P2", "2024-02-30", "5", ""],
        ["P3", "2024-03-01", "abc", "paid"],
    ])
    body = preview_of(acme_owner, content, kind="invoices")
    assert (body["kind"], body["source"], body["header_line"]) == ("invoices", None, 1)
    assert body["mapping"] == {"invoice_id": "invoice_id", "customer_id": None, "date": "date",
                               "amount": "amount", "currency": None, "status": "status"}
    assert column(body, "amount")["samples"] == ["10.50", "5", "abc"]
    assert column(body, "amount")["suggestions"][0] == {"column": "amount", "why": "same name"}
    assert column(body, "currency")["from"] is None
    first, second, third = body["rows"]
    # Typed as stored: the amount as a decimal, the default status, the empty currency.
    assert first == {"line": 2, "values": {"invoice_id": "P1", "customer_id": None, "date": "2024-01-05",
                                           "amount": "10.50", "currency": "", "status": "open"}, "problems": []}
    assert second["values"]["status"] == "paid" and second["values"]["amount"] == "5"
    assert [(item["line"], item["column"], item["value"]) for item in body["problems"]] == [
        (3, "date", "2024-02-30"), (4, "amount", "abc")]
    assert body["problems"][0]["message"].startswith("not a date")
    assert third["problems"] == [f"amount: {body['problems'][1]['message']}"]
    # A preview writes nothing.
    connection.set_tenant(acme.tenant)
    assert Invoice.objects.count() == 0


def test_a_vendor_export_is_recognised_and_previewed_through_its_source(acme_owner):
    body = preview_of(acme_owner, vendor_files.stripe_invoices(), name="invoices.csv")
    assert (body["kind"], body["source"]) == ("invoices", "stripe_invoices")
    assert "Read as Stripe invoices export (Stripe)." in body["notes"]
    # Drafts and void invoices are dropped; the amount is Total minus Tax.
    assert [row["values"]["invoice_id"] for row in body["rows"]] == ["in_1", "in_2", "in_5", "in_6"]
    assert body["rows"][0]["values"]["amount"] == "100.00"
    assert body["rows"][0]["values"]["currency"] == "USD"
    assert body["rows"][3]["values"]["status"] == "void"
    assert any(note.startswith("Dropped 1 draft invoices") for note in body["notes"])
    amount = column(body, "amount")
    assert amount["from"]["source"].startswith("Total minus Tax")
    assert body["problems"] == []


def test_a_file_in_no_known_layout_gets_a_mapping_suggested_from_its_column_names(acme_owner):
    content = csv_bytes(["Invoice #", "Client", "Invoice date", "Total", "Notes"],
                        [["I1", "C1", "2024-01-05", "120.00", "first"], ["I2", "C2", "2024-01-09", "80", ""]])
    body = preview_of(acme_owner, content)
    assert body["kind"] == "invoices"
    assert body["notes"][0].startswith("The file looks like no export KPI Hub knows; its columns look like invoices")
    assert body["mapping"] == {"invoice_id": "Invoice #", "customer_id": "Client", "date": "Invoice date",
                               "amount": "Total", "currency": None, "status": None}
    assert column(body, "amount")["suggestions"] == [
        {"column": "Total", "why": "as the Stripe invoices export names it"}]
    assert column(body, "invoice_id")["suggestions"] == [{"column": "Invoice #", "why": "a common name for it"}]
    assert body["rows"][1]["values"] == {"invoice_id": "I2", "customer_id": "C2", "date": "2024-01-09",
                                         "amount": "80", "currency": "", "status": "paid"}
    assert body["problems"] == []
    assert "Not imported (no column of invoices takes it): “Notes”." in body["notes"]


def test_required_columns_nothing_maps_are_the_problems(acme_owner):
    content = csv_bytes(["Ref", "When", "Money"], [["R1", "2024-01-05", "10"]])
    body = preview_of(acme_owner, content, kind="invoices")
    assert body["mapping"]["invoice_id"] is None and body["mapping"]["amount"] is None
    assert [(item["column"], item["message"]) for item in body["problems"]] == [
        ("invoice_id", "invoice_id is required: choose the file column it comes from, or a constant."),
        ("date", "date is required: choose the file column it comes from, or a constant."),
        ("amount", "amount is required: choose the file column it comes from, or a constant.")]
    assert body["rows"] == [{"line": 2, "values": {}, "problems": []}]
    # The same file with a mapping: the rows as they would be stored, and no problem.
    mapped = preview_of(acme_owner, content, kind="invoices",
                        mapping='{"invoice_id": "Ref", "date": "When", "amount": "Money", "status": {"value": "open"}}')
    assert mapped["problems"] == []
    assert mapped["rows"][0]["values"] == {"invoice_id": "R1", "customer_id": None, "date": "2024-01-05",
                                           "amount": "10", "currency": "", "status": "open"}
    assert column(mapped, "status")["from"] == {"value": "open"}


def test_a_file_of_no_kind_asks_for_the_kind(acme_owner):
    body = preview_of(acme_owner, csv_bytes(["alpha", "beta"], [["1", "2"]]))
    assert body["kind"] is None and body["columns"] == []
    assert body["problems"][0]["message"].startswith("Choose the kind of data")
    assert body["file_columns"] == ["alpha", "beta"]


class CountingFile:
    """An upload that counts the bytes read from it."""

    def __init__(self, path: str):
        self.file = open(path, "rb")  # noqa: SIM115 (closed by the test)
        self.name, self.size, self.bytes_read = os.path.basename(path), os.path.getsize(path), 0

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        self.bytes_read += len(data)
        return data

    def seek(self, *args):
        return self.file.seek(*args)

    def tell(self):
        return self.file.tell()


def test_a_100_mb_file_is_previewed_from_its_head_only(in_acme, tmp_path):
    path = tmp_path / "big.csv"
    line = b"INV-%08d,C%05d,2024-01-15,1234.50,EUR,paid\n"
    with open(path, "wb") as out:
        out.write(b"invoice_id,customer_id,date,amount,currency,status\n")
        block = b"".join(line % (number, number % 10_000) for number in range(100_000))
        rows = 0
        while out.tell() + len(block) <= 100_000_000:
            out.write(block)
            rows += 100_000
    upload = CountingFile(str(path))
    try:
        started = time.monotonic()
        found = services.preview_import(upload=upload, kind="invoices")
        elapsed = time.monotonic() - started
    finally:
        upload.file.close()
    assert upload.size > 95_000_000
    assert upload.bytes_read <= preview.HEAD_BYTES
    assert len(found.rows) == preview.ROWS and found.rows[0]["values"]["invoice_id"] == "INV-00000000"
    assert abs(found.estimated_rows - rows) < rows / 100
    assert elapsed < 5  # generous for a loaded machine; measured by hand in docs/decisions.md


def test_a_mapping_remembered_by_one_company_is_never_offered_to_another(acme_owner, globex_owner, acme, globex):
    content = csv_bytes(["Ref", "When", "Money"], [["R1", "2024-01-05", "10"]])
    connection.set_tenant(acme.tenant)
    SavedMapping.objects.create(kind="invoices", header_key=mapping.header_key(["Ref", "When", "Money"]),
                                header=["Ref", "When", "Money"],
                                mapping={"invoice_id": "Ref", "date": "When", "amount": "Money"})
    connection.set_schema_to_public()
    mine = preview_of(acme_owner, content)
    assert (mine["kind"], mine["remembered"]) == ("invoices", True)
    assert column(mine, "amount")["suggestions"][0] == {"column": "Money", "why": "remembered for this header"}
    theirs = preview_of(globex_owner, content)
    assert theirs["kind"] is None and theirs["remembered"] is False
    theirs = preview_of(globex_owner, content, kind="invoices")
    assert theirs["remembered"] is False and theirs["mapping"]["amount"] is None
    assert all(item["why"] != "remembered for this header" for item in column(theirs, "amount")["suggestions"])
