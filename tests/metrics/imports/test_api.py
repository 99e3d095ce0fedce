"""The imports and data endpoints: roles, the upload's 202, reading an import back,
rejected rows, records in and out as JSON, and tenant isolation of imports and files."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from metrics.imports import running
from metrics.models import DataImport, Invoice
from tests.metrics.imports.builders import csv_bytes

CONTENT = csv_bytes(["invoice_id", "date", "amount"], [["I1", "2024-01-01", "5"], ["I2", "bad", "5"]])


def upload(client, content=CONTENT, **fields):
    return client.post("/api/v1/imports/", {"kind": "invoices", "on_error": "skip",
                                            "file": SimpleUploadedFile("inv.csv", content), **fields},
                       format="multipart")


def run_queued(handle, import_id):
    connection.set_tenant(handle.tenant)
    running.run_import(import_id=import_id)


def test_upload_answers_202_and_the_import_reads_back_with_counts_and_errors(acme_owner, acme):
    response = upload(acme_owner)
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "queued"
    import_id = response.json()["id"]
    run_queued(acme, import_id)
    detail = acme_owner.get(f"/api/v1/imports/{import_id}/").json()
    assert (detail["status"], detail["rows_total"], detail["rows_created"], detail["rows_rejected"]) == (
        "succeeded", 2, 1, 1)
    assert detail["errors"] == [{"line": 3, "column": "date", "value": "bad",
                                 "message": "not a date: use YYYY-MM-DD"}]
    assert detail["finished_at"] and detail["created_at"]
    rejected = acme_owner.get(f"/api/v1/imports/{import_id}/rejected.csv")
    assert rejected.status_code == 200
    assert b"".join(rejected.streaming_content).startswith(b"invoice_id,date,amount,error\nI2,bad,5,line 3: date")
    listing = acme_owner.get("/api/v1/imports/").json()
    assert listing["count"] == 1 and listing["results"][0]["id"] == import_id


def test_bad_options_and_missing_file_are_400_with_field_errors(acme_owner):
    assert "kind" in acme_owner.post("/api/v1/imports/", {"kind": "planets"}, format="multipart").json()
    assert "file" in acme_owner.post("/api/v1/imports/", {"kind": "invoices"}, format="multipart").json()
    assert "on_error" in upload(acme_owner, on_error="ignore").json()


def test_a_member_reads_imports_but_cannot_import(acme_owner, acme, in_acme):
    from accounts import services as accounts
    from tests.conftest import host_client

    member = accounts.add_member(email="member@acme.example", password="correct-horse-battery-staple",
                                 role="member")
    client = host_client(acme.host, accounts.issue_token(member))
    assert upload(client).status_code == 403
    assert client.get("/api/v1/imports/").status_code == 200
    assert client.post("/api/v1/data/invoices/", [], format="json").status_code == 403


def test_records_posted_as_json_go_through_the_same_rules_at_once(acme_owner, acme):
    response = acme_owner.post("/api/v1/data/invoices/?on_error=skip", [
        {"invoice_id": "J1", "date": "2024-02-01", "amount": 12.5, "status": "open"},
        {"invoice_id": "J2", "date": "2024-02-31", "amount": 1}], format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["rows_created"], body["rows_rejected"]) == ("succeeded", 1, 1)
    assert body["errors"][0]["line"] == 3
    listed = acme_owner.get("/api/v1/data/invoices/?invoice_id=J1").json()
    assert listed["count"] == 1
    assert listed["results"][0] == {"invoice_id": "J1", "customer_id": "", "date": "2024-02-01",
                                    "amount": "12.50", "currency": "", "status": "open"}
    assert acme_owner.get("/api/v1/data/invoices/?from=2024-03-01").json()["count"] == 0
    assert acme_owner.post("/api/v1/data/invoices/", {"not": "a list"}, format="json").status_code == 400
    assert acme_owner.get("/api/v1/data/planets/").status_code == 404


def test_more_than_ten_thousand_records_are_refused(acme_owner):
    response = acme_owner.post("/api/v1/data/metric_values/",
                               [{"metric": "m", "date": "2024-01-01", "value": 1}] * 10_001, format="json")
    assert response.status_code == 400 and "at most 10,000" in response.json()["detail"][0]


def test_another_tenant_can_neither_see_nor_fetch_an_import_or_its_files(acme_owner, globex_owner, acme,
                                                                       globex):
    import_id = upload(acme_owner).json()["id"]
    run_queued(acme, import_id)
    for path in (f"/api/v1/imports/{import_id}/", f"/api/v1/imports/{import_id}/rejected.csv"):
        assert globex_owner.get(path).status_code == 404
    assert globex_owner.get("/api/v1/imports/").json()["count"] == 0
    from tests.conftest import host_client

    stolen_token = host_client(globex.host, acme.owner_token)
    assert stolen_token.get(f"/api/v1/imports/{import_id}/").status_code == 401
    connection.set_tenant(acme.tenant)
    record = DataImport.objects.get(pk=import_id)
    assert f"/{acme.schema}/imports/" in record.file.path
    assert f"/{acme.schema}/imports/" in record.rejected_file.path


def test_a_successful_import_queues_a_kpi_recompute_when_it_commits(in_acme, monkeypatch,
                                                                    django_capture_on_commit_callbacks):
    from metrics.kpis import tasks as kpi_tasks
    from tests.metrics.imports.builders import import_records

    sent = []
    monkeypatch.setattr(kpi_tasks.recompute_kpis, "delay", lambda *a, **k: sent.append((a, k)))
    with django_capture_on_commit_callbacks(execute=True):
        import_records("invoices", [{"invoice_id": "K1", "date": "2024-01-01", "amount": "3"}])
    assert sent == [((), {})]
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        import_records("invoices", [{"invoice_id": "K2", "date": "nope", "amount": "3"}])
    assert sent == [], "a failed import queues nothing"
    assert Invoice.objects.count() == 1
