"""The Imports page's preview and mapping without JavaScript (plain form posts), the
htmx fragment, and the kept file staying with its company."""

from __future__ import annotations

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from metrics.imports import running
from metrics.models import DataImport, Invoice, SavedMapping
from tests.metrics.imports.builders import csv_bytes
from tests.metrics.imports.test_pages import browser_for

BILLING = csv_bytes(["Ref", "Client", "Issued", "Charged"],
                    [["B-1", "C1", "2024-01-05", "120.00"], ["B-2", "C2", "2024-01-09", "80.00"]])


def pending_token(page: str) -> str:
    return re.search(r'name="pending" value="([0-9a-f]{32})"', page).group(1)


def test_a_file_that_needs_a_mapping_gets_the_mapping_step_then_imports_with_it(in_acme):
    browser = browser_for(in_acme, in_acme.owner_email)
    response = browser.post("/imports/", {"kind": "invoices", "file": SimpleUploadedFile("billing.csv", BILLING)})
    # Not a bare error: the preview page, with a select per column of the kind.
    assert response.status_code == 200
    page = response.content.decode()
    assert "Preview of billing.csv" in page and 'name="mapped_kind" value="invoices"' in page
    assert 'name="map-amount"' in page and "invoice_id is required" in page and "amount is required" in page
    assert '<option value="file:Charged">Charged</option>' in page
    token = pending_token(page)
    assert DataImport.objects.count() == 0

    # Change the mapping, preview again (the kept file, not sent again): no problem left.
    choices = {"pending": token, "kind": "invoices", "mapped_kind": "invoices", "on_error": "reject",
               "map-invoice_id": "file:Ref", "map-customer_id": "file:Client", "map-date": "file:Issued",
               "map-amount": "file:Charged", "map-currency": "", "map-status": "value", "value-status": "open"}
    again = browser.post("/imports/preview/", choices).content.decode()
    assert "is required" not in again and "data-preview-problems" not in again
    assert '<option value="file:Charged" selected>' in again and 'name="value-status" value="open"' in again

    response = browser.post("/imports/", choices)
    assert response.status_code == 302
    record = DataImport.objects.get()
    assert record.mapping == {"invoice_id": "Ref", "customer_id": "Client", "date": "Issued", "amount": "Charged",
                              "currency": None, "status": {"value": "open"}}
    connection.set_tenant(in_acme.tenant)
    running.run_import(import_id=str(record.pk))
    record.refresh_from_db()
    assert record.status == "succeeded" and record.rows_created == 2
    assert sorted(Invoice.objects.values_list("invoice_id", "status")) == [("B-1", "open"), ("B-2", "open")]
    assert SavedMapping.objects.get().mapping == record.mapping
    # The kept file went with the import.
    assert "Choose a file to preview." in browser.post("/imports/preview/", {"pending": token}).content.decode()


def test_a_file_whose_kind_is_only_guessed_is_previewed_for_confirmation(in_acme):
    content = csv_bytes(["Invoice #", "Client", "Invoice date", "Total"], [["I1", "C1", "2024-01-05", "120.00"]])
    browser = browser_for(in_acme, in_acme.owner_email)
    response = browser.post("/imports/", {"kind": "", "file": SimpleUploadedFile("i.csv", content)})
    page = response.content.decode()
    assert response.status_code == 200 and "its columns look like invoices" in page
    assert 'name="mapped_kind" value="invoices"' in page and '<option value="file:Total" selected>' in page
    # Confirmed as it is (the kind select left on "Detect"): imported as invoices, with the mapping.
    response = browser.post("/imports/", {"pending": pending_token(page), "kind": "", "mapped_kind": "invoices",
                                          "map-invoice_id": "file:Invoice #", "map-customer_id": "file:Client",
                                          "map-date": "file:Invoice date", "map-amount": "file:Total",
                                          "map-currency": "", "map-status": ""})
    assert response.status_code == 302
    record = DataImport.objects.get()
    assert (record.kind, record.mapping["amount"]) == ("invoices", "Total")


def test_the_preview_is_a_fragment_for_htmx_and_a_page_without_it(in_acme):
    browser = browser_for(in_acme, in_acme.owner_email)
    fragment = browser.post("/imports/preview/", {"kind": "invoices", "file": SimpleUploadedFile("b.csv", BILLING)},
                            HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "data-preview" in fragment and 'name="pending"' in fragment
    assert "The first 2 rows as they will be stored" in fragment
    page = browser.post("/imports/preview/", {"file": SimpleUploadedFile("billing.csv", BILLING)}).content.decode()
    assert "<html" in page and 'formaction="/imports/preview/"' in page and "data-preview" in page


def test_the_upload_form_lets_the_file_say_its_kind(in_acme):
    page = browser_for(in_acme, in_acme.owner_email).get("/imports/").content.decode()
    assert '<option value="">Detect from the file</option>' in page
    assert 'hx-post="/imports/preview/"' in page


def test_a_kept_file_is_not_reachable_from_another_company(in_acme, globex):
    browser = browser_for(in_acme, in_acme.owner_email)
    page = browser.post("/imports/preview/", {"file": SimpleUploadedFile("billing.csv", BILLING)}).content.decode()
    token = pending_token(page)
    other = browser_for(globex, globex.owner_email)
    answer = other.post("/imports/preview/", {"pending": token})
    assert "Choose a file to preview." in answer.content.decode() and "B-1" not in answer.content.decode()
    assert other.post("/imports/", {"pending": token, "kind": "invoices"}).status_code == 400
    connection.set_tenant(globex.tenant)
    assert DataImport.objects.count() == 0
