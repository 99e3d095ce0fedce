"""The Imports and Data pages, as an owner and a member use them in a browser."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from metrics.imports import running
from metrics.models import DataImport
from tests.metrics.imports.builders import csv_bytes, import_records


def browser_for(handle, email: str) -> Client:
    from django.contrib.auth import get_user_model

    connection.set_tenant(handle.tenant)
    client = Client(HTTP_HOST=handle.host)
    client.force_login(get_user_model().objects.get(username=email))
    return client


@pytest.fixture
def owner_browser(in_acme):
    return browser_for(in_acme, in_acme.owner_email)


def test_the_imports_page_offers_kinds_templates_and_a_column_guide(owner_browser):
    page = owner_browser.get("/imports/?kind=subscriptions").content.decode()
    assert 'value="subscriptions" selected' in page
    assert "/imports/template/subscriptions.csv" in page and "/imports/template/subscriptions.xlsx" in page
    assert "<code>end_date</code>" in page and "First day it is no longer active" in page
    assert 'type="file" name="file"' in page and "js/imports.js" in page


def test_templates_download_as_csv_and_xlsx(owner_browser):
    csv_file = owner_browser.get("/imports/template/invoices.csv")
    assert csv_file["Content-Disposition"].endswith('kpihub-invoices-template.csv"')
    assert csv_file.content.decode().splitlines()[0] == "invoice_id,customer_id,date,amount,currency,status"
    xlsx = owner_browser.get("/imports/template/invoices.xlsx")
    assert xlsx.content[:2] == b"PK"
    assert owner_browser.get("/imports/template/planets.csv").status_code == 404


def test_uploading_leads_to_the_import_page_that_polls_until_finished(owner_browser, acme):
    content = csv_bytes(["invoice_id", "date", "amount"], [["P1", "2024-01-01", "5"], ["P2", "x", "5"]])
    response = owner_browser.post("/imports/", {"kind": "invoices", "on_error": "skip",
                                                "file": SimpleUploadedFile("p.csv", content)})
    assert response.status_code == 302
    import_id = re.search(r"/imports/([0-9a-f-]+)/", response["Location"]).group(1)
    waiting = owner_browser.get(f"/imports/{import_id}/progress/").content.decode()
    assert 'hx-trigger="every 1s"' in waiting and "Waiting for a worker" in waiting
    connection.set_tenant(acme.tenant)
    running.run_import(import_id=import_id)
    done = owner_browser.get(f"/imports/{import_id}/").content.decode()
    assert "hx-trigger" not in done
    assert "not a date: use YYYY-MM-DD" in done and f"/imports/{import_id}/rejected.csv" in done
    assert owner_browser.get(f"/imports/{import_id}/rejected.csv").status_code == 200
    assert "p.csv" in owner_browser.get("/imports/").content.decode()


def test_an_upload_without_a_file_shows_the_reason(owner_browser):
    response = owner_browser.post("/imports/", {"kind": "invoices"})
    assert response.status_code == 400 and "Choose a file to import." in response.content.decode()


def test_the_data_page_browses_searches_and_exports_with_formulas_escaped(owner_browser, acme):
    connection.set_tenant(acme.tenant)
    import_records("customers", [{"customer_id": "C1", "name": "=HYPERLINK(\"x\")", "segment": "agency"},
                                 {"customer_id": "C2", "name": "Plain Co", "segment": "-software"}])
    page = owner_browser.get("/data/customers/?q=plain").content.decode()
    assert "Plain Co" in page and "HYPERLINK" not in page
    export = b"".join(owner_browser.get("/data/customers/export.csv").streaming_content).decode()
    assert "'=HYPERLINK" in export and "'-software" in export
    assert owner_browser.get("/data/planets/").status_code == 404


def test_a_member_sees_the_pages_but_no_upload_form(acme, db):
    from accounts import services as accounts

    connection.set_tenant(acme.tenant)
    accounts.add_member(email="viewer@acme.example", password="correct-horse-battery-staple", role="member")
    client = browser_for(acme, "viewer@acme.example")
    assert 'type="file"' not in client.get("/imports/").content.decode()
    assert client.post("/imports/", {"kind": "invoices"}).status_code == 403
    assert client.get("/data/invoices/").status_code == 200
    assert DataImport.objects.count() == 0
