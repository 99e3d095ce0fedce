"""An import is audited once, as its record with its counts, not row by row: started
(who, which file), finished (the counts), undone, and a record deleted from the Data page."""

from __future__ import annotations

from django.db import connection

from metrics.imports import running, services
from tests.metrics.imports.builders import csv_bytes, upload

INVOICE = ["invoice_id", "customer_id", "date", "amount", "status"]


def audit(client, **params):
    response = client.get("/api/v1/audit/", params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_an_import_its_undo_and_a_deleted_record_are_each_one_event(acme, acme_owner, db):
    connection.set_tenant(acme.tenant)
    record = services.start_import(kind="invoices", on_error="reject", upload=upload(csv_bytes(
        INVOICE, [["I1", "", "2024-01-05", "10", "paid"], ["I2", "", "2024-01-06", "20", "paid"],
                  ["I3", "", "2024-01-07", "30", "open"]])))
    running.run_import(import_id=str(record.pk))  # the task's body, here (the test never commits)
    connection.set_schema_to_public()

    [started] = audit(acme_owner, action="import.started")
    assert started["object_id"] == str(record.pk) and started["changes"]["kind"] == "invoices"
    [finished] = audit(acme_owner, action="import.finished")
    assert finished["changes"]["rows_total"] == [0, 3] and finished["changes"]["rows_created"] == [0, 3]
    assert finished["user"] is None  # the worker's write; the started event names who asked

    assert acme_owner.delete("/api/v1/data/invoices/I2/").status_code in (200, 204)
    [deleted] = audit(acme_owner, action="record.deleted")
    assert deleted["via"] == "token" and deleted["user_email"] == acme.owner_email
    assert "I2" in deleted["object"]

    latest = acme_owner.get("/api/v1/imports/").json()["results"][0]
    assert acme_owner.post(f"/api/v1/imports/{latest['id']}/undo/").status_code in (200, 201)
    [undone] = audit(acme_owner, action="import.undone")
    assert undone["user_email"] == acme.owner_email
    # Three invoices written, none of them an event of their own.
    assert [e["action"] for e in audit(acme_owner) if e["object_type"] == "import"] == [
        "import.undone", "record.deleted", "import.finished", "import.started"]
