"""An owner in Chromium, on a phone: chooses a billing file whose columns are not
KPI Hub's, sees the preview ask for the kind, chooses it, sees the mapping suggested
from the column names and what is missing, maps the one column left, sees the first
rows as they will be stored, imports, and watches the import's page go from waiting
to its result."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from metrics.imports import running
from metrics.models import DataImport, Invoice
from tenants.signup import tenant_domain
from tests.e2e.conftest import E2E_PASSWORD, committed_company
from tests.metrics.imports.builders import csv_bytes

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "owner@mapping.example", E2E_PASSWORD
BILLING = csv_bytes(["Invoice #", "Client", "Issued", "Charged", "Memo"],
                    [["B-1", "C1", "2024-01-05", "120.00", "first"], ["B-2", "C2", "2024-01-09", "80.00", ""]])


@pytest.fixture
def company(django_db_setup, django_db_blocker):
    """A committed company of its own, empty; dropped afterwards."""
    with committed_company(django_db_blocker, "map", company_name="Mapping Co", email=EMAIL) as tenant:
        yield tenant


def test_upload_preview_change_a_column_confirm_and_see_the_result(live_site, chromium, company,
                                                                    django_db_blocker, tmp_path):
    billing = tmp_path / "billing.csv"
    billing.write_bytes(BILLING)
    context = chromium.new_context(viewport={"width": 390, "height": 844})  # a phone
    page = context.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    base = f"http://{tenant_domain(company.slug)}:{live_site}"
    try:
        page.goto(f"{base}/accounts/login/")
        page.fill("input[name=username]", EMAIL)
        page.fill("input[name=password]", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{base}/")
        page.goto(f"{base}/imports/")
        assert page.locator("#upload-kind").input_value() == ""  # "Detect from the file"
        assert page.locator("[data-preview-button]").is_hidden()  # htmx previews on its own

        page.set_input_files("#import-file", str(billing))
        detected = page.locator("#import-preview [data-detected]")
        detected.wait_for()
        # No export layout, and too few known names to guess: the kind is asked for.
        assert "Kind not recognised" in detected.inner_text()
        assert "Choose the kind of data" in page.locator("#import-preview [data-preview-problems]").inner_text()
        page.select_option("#upload-kind", "invoices")
        page.locator("#import-preview [data-detected]", has_text="Read as invoices").wait_for()
        assert "amount is required" in page.locator("#import-preview [data-preview-problems]").inner_text()
        assert page.locator("#map-invoice_id").input_value() == "file:Invoice #"
        assert page.locator("#map-date").input_value() == "file:Issued"
        assert page.locator("#import-file").input_value() == ""  # kept on the server, not sent again

        page.select_option("#map-amount", "file:Charged")
        page.locator("#import-preview [data-preview-problems]").wait_for(state="detached")
        first_row = page.locator("#import-preview [data-preview-rows] tbody tr").first.inner_text()
        assert "B-1" in first_row and "120.00" in first_row and "paid" in first_row
        # Usable on a phone: the form is no wider than the screen.
        assert page.evaluate("document.querySelector('form[data-dropzone]').scrollWidth") <= 390

        page.click("[data-import-button]")
        page.wait_for_url(re.compile(rf"{re.escape(base)}/imports/[0-9a-f-]+/$"))
        assert "Waiting for a worker" in page.locator("#import-progress").inner_text()
        import_id = page.url.rstrip("/").rsplit("/", 1)[-1]
        with django_db_blocker.unblock():
            connection.set_tenant(company)
            running.run_import(import_id=import_id)
            record = DataImport.objects.get(pk=import_id)
            assert record.mapping["amount"] == "Charged"
            assert sorted(Invoice.objects.values_list("invoice_id", "amount")) == [
                ("B-1", 120), ("B-2", 80)]
            connection.set_schema_to_public()
        page.locator("#import-progress .chip--ok").wait_for(timeout=10_000)
        result = page.locator("#import-progress").inner_text()
        assert "succeeded" in result and "Created\n2" in result
        assert not problems, problems
    finally:
        context.close()
