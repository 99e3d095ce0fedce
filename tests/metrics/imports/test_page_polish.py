"""The Imports page's one flow (the column guide's select changes only the guide; the
upload form chooses the import's kind) and an import's page saying how its file was
read: the vendor source, the mapping and the notes."""

from __future__ import annotations

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from metrics.imports import running, services
from metrics.models import DataImport
from tests.metrics.imports.builders import csv_bytes, upload
from tests.metrics.imports.test_pages import browser_for
from tests.metrics.imports.vendor_files import stripe_invoices


def selected_upload_kind(page: str) -> str:
    select = re.search(r'<select id="upload-kind"[^>]*>(.*?)</select>', page, re.DOTALL).group(1)
    chosen = re.search(r'<option value="([a-z_]*)" selected>', select)
    return chosen.group(1) if chosen else ""


def test_the_column_guide_is_its_own_select_and_does_not_choose_the_imports_kind(in_acme):
    browser = browser_for(in_acme, in_acme.owner_email)
    page = browser.get("/imports/").content.decode()
    assert page.count("Kind of data") == 1  # the upload form's; the guide's says what it shows
    assert "Column guide" in page and 'name="guide"' in page and "Show the columns of" in page
    assert page.index("Import a file") < page.index("Column guide")  # the upload first

    guide = browser.get("/imports/?guide=subscriptions").content.decode()
    assert "<code>end_date</code>" in guide and "/imports/template/subscriptions.csv" in guide
    assert selected_upload_kind(guide) == ""  # still "Detect from the file"
    # A link to import a kind (the Data page's "Import invoices") chooses both.
    linked = browser.get("/imports/?kind=invoices").content.decode()
    assert selected_upload_kind(linked) == "invoices" and "/imports/template/invoices.csv" in linked


def test_an_imports_page_says_the_source_it_was_read_as_and_its_notes(in_acme):
    browser = browser_for(in_acme, in_acme.owner_email)
    record = services.start_import(kind="", upload=upload(stripe_invoices(), name="invoices.csv"),
                                   amount_unit="units")
    running.run_import(import_id=str(record.pk))
    record.refresh_from_db()
    assert record.source == "stripe_invoices" and record.notes
    page = browser.get(f"/imports/{record.pk}/").content.decode()
    assert "Read as <strong>Stripe invoices export</strong> (Stripe)" in page
    assert "data-notes" in page and record.notes[0].replace("'", "&#x27;").replace('"', "&quot;") in page
    assert "data-mapping-read" not in page  # the source's own columns: no mapping of the user's


def test_an_imports_page_shows_the_mapping_it_was_read_with(in_acme):
    browser = browser_for(in_acme, in_acme.owner_email)
    billing = csv_bytes(["Ref", "Client", "Issued", "Charged"], [["B-1", "C1", "2024-01-05", "120.00"]])
    page = browser.post("/imports/", {"kind": "invoices", "file": SimpleUploadedFile("billing.csv", billing)})
    token = re.search(r'name="pending" value="([0-9a-f]{32})"', page.content.decode()).group(1)
    response = browser.post("/imports/", {
        "pending": token, "kind": "invoices", "mapped_kind": "invoices", "on_error": "reject",
        "map-invoice_id": "file:Ref", "map-customer_id": "file:Client", "map-date": "file:Issued",
        "map-amount": "file:Charged", "map-currency": "", "map-status": "value", "value-status": "open"})
    record = DataImport.objects.get()
    connection.set_tenant(in_acme.tenant)
    running.run_import(import_id=str(record.pk))
    detail = browser.get(response["Location"]).content.decode()
    assert "data-mapping-read" in detail and "data-read-as" not in detail
    assert "<code>amount</code></th>\n            <td>← file column <code>Charged</code>" in detail
    assert "= the constant “open”" in detail and "nothing (left empty)" in detail
