"""An owner in Chromium, on a desktop and on a phone: imports a file, replaces it with a
second file (the history says what was deleted), undoes the replace from its page
(after a confirmation: the Data page is back as before), deletes one record from the
Data page and undoes that, and undoes an import that wrote only its valid rows after
a rejected first run. No page is wider than the screen."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import connection

from metrics.imports import running
from tenants.signup import tenant_domain
from tests.e2e.conftest import E2E_PASSWORD, committed_company
from tests.metrics.imports.builders import csv_bytes

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "owner@replacing.example", E2E_PASSWORD
INVOICE = ["invoice_id", "customer_id", "date", "amount", "status"]
FIRST = [["I1", "", "2024-01-05", "10.00", "paid"], ["I2", "", "2024-01-06", "20.00", "paid"]]
# I1 changed, I2 missing (the replace deletes it), I3 new.
SECOND = [["I1", "", "2024-01-05", "11.00", "paid"], ["I3", "", "2024-01-07", "30.00", "paid"]]
# One good change, one new, one bad date: rejected whole first, then its valid rows.
PARTIAL = [["I1", "", "2024-01-05", "15.00", "paid"], ["I4", "", "2024-01-08", "40.00", "paid"],
           ["I5", "", "not a date", "50.00", "paid"]]
SCREENS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def company(django_db_setup, django_db_blocker):
    """A committed company of its own, empty; dropped afterwards."""
    with committed_company(django_db_blocker, "rep", company_name="Replacing Co", email=EMAIL) as tenant:
        yield tenant


@pytest.mark.parametrize("screen", list(SCREENS))
def test_replace_undo_delete_and_undo_after_a_partial_failure(live_site, chromium, company, django_db_blocker,
                                                             tmp_path, screen):
    context = chromium.new_context(viewport=SCREENS[screen])
    page = context.new_page()
    width = SCREENS[screen]["width"]
    problems, confirmations = [], []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    def confirm(dialog):
        confirmations.append(dialog.message)
        dialog.accept()

    page.on("dialog", confirm)
    base = f"http://{tenant_domain(company.slug)}:{live_site}"

    def run_task(import_id: str) -> None:
        """The import's task, run here (no worker reads the test queue)."""
        with django_db_blocker.unblock():
            connection.set_tenant(company)
            running.run_import(import_id=import_id)
            connection.set_schema_to_public()

    def fits_the_screen() -> None:
        assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url

    def import_file(name: str, rows: list[list], *, mode: str = "upsert", outcome: str = "chip--ok") -> str:
        path = Path(tmp_path) / name
        path.write_bytes(csv_bytes(INVOICE, rows))
        page.goto(f"{base}/imports/")
        page.set_input_files("#import-file", str(path))
        page.locator("#import-preview [data-detected]", has_text="Read as invoices").wait_for()
        fits_the_screen()  # the preview's rows table scrolls inside its card
        if mode != "upsert":
            with page.expect_response(re.compile(r"/imports/preview/$")):
                page.select_option("#mode", mode)
        page.click("[data-import-button]")
        page.wait_for_url(re.compile(rf"{re.escape(base)}/imports/[0-9a-f-]+/$"))
        import_id = page.url.rstrip("/").rsplit("/", 1)[-1]
        run_task(import_id)
        page.locator(f"#import-progress .{outcome}").wait_for(timeout=10_000)
        return import_id

    def stored() -> dict[str, str]:
        """invoice_id -> amount, as the Data page shows them."""
        page.goto(f"{base}/data/invoices/")
        fits_the_screen()
        rows = page.locator("main table tbody tr")
        cells = [rows.nth(i).locator("td").all_inner_texts() for i in range(rows.count())]
        return {row[0]: row[3] for row in cells}

    def history_row(chip: str):
        page.goto(f"{base}/imports/")
        fits_the_screen()  # the history table scrolls inside its card
        return page.locator("section:has(h2:text-is('History')) tbody tr", has=page.locator(
            f".chip:text-is('{chip}')")).first

    def undo_here() -> None:
        before = len(confirmations)
        page.click("button:text-is('Undo this import')")
        page.wait_for_url(re.compile(rf"{re.escape(base)}/imports/[0-9a-f-]+/$"))
        page.get_by_text("The import was undone").wait_for()
        assert len(confirmations) == before + 1 and confirmations[-1].startswith("Undo this import?")
        assert "Undid the import of" in page.locator("#import-progress").inner_text()
        fits_the_screen()

    try:
        page.goto(f"{base}/accounts/login/")
        page.fill("input[name=username]", EMAIL)
        page.fill("input[name=password]", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{base}/")

        # The column guide's select changes only the guide, in place.
        page.goto(f"{base}/imports/")
        assert page.locator("[data-autosubmit-button]").is_hidden()
        with page.expect_response(re.compile(r"/imports/\?guide=subscriptions$")):
            page.select_option("#kind-picker", "subscriptions")
        page.locator("#column-guide-body code", has_text="end_date").wait_for()
        assert page.url == f"{base}/imports/" and page.locator("#upload-kind").input_value() == ""

        import_file("first.csv", FIRST)
        before = stored()
        assert before == {"I1": "10.00", "I2": "20.00"}

        # Replace: the file becomes the whole list of invoices.
        replace_id = import_file("second.csv", SECOND, mode="replace")
        result = page.locator("#import-progress").inner_text()
        assert "Deleted\n1" in result and "Created\n1" in result and "Updated\n1" in result
        fits_the_screen()
        assert stored() == {"I1": "11.00", "I3": "30.00"}
        replaced = history_row("replace").locator("td").all_inner_texts()
        assert "second.csv" in replaced[2] and replaced[9] == "1"  # the Deleted column

        # Undo the replace from its page.
        page.goto(f"{base}/imports/{replace_id}/")
        undo_here()
        assert stored() == before
        assert "Undo of second.csv" in history_row("undo").inner_text()
        assert "second.csv" in history_row("undone").inner_text()
        page.goto(f"{base}/imports/{replace_id}/")
        assert "This import was undone on" in page.locator("#import-progress").inner_text()

        # Delete one record from the Data page: gone, in the history, undoable.
        stored()
        page.click("button[aria-label='Delete invoices I2']")
        page.get_by_text("Deleted invoices I2.").wait_for()
        assert confirmations[-1].startswith("Delete invoices I2?")
        assert stored() == {"I1": "10.00"}
        deletion = history_row("deleted")
        assert "I2" in deletion.inner_text()
        deletion.locator("a").first.click()
        page.wait_for_url(re.compile(rf"{re.escape(base)}/imports/[0-9a-f-]+/$"))
        undo_here()
        assert stored() == before

        # A rejected import, then "Import the valid rows", then undo that: as before.
        partial_id = import_file("partial.csv", PARTIAL, outcome="chip--bad")
        assert stored() == before  # rejected whole: nothing written
        page.goto(f"{base}/imports/{partial_id}/")
        page.click("button:text-is('Import the valid rows, skip the 1 rejected')")
        page.locator("#import-progress .chip--warn").wait_for()  # queued again
        run_task(partial_id)
        page.locator("#import-progress .chip--ok").wait_for(timeout=10_000)
        assert "Rejected\n1" in page.locator("#import-progress").inner_text()
        assert stored() == {"I1": "15.00", "I2": "20.00", "I4": "40.00"}
        page.goto(f"{base}/imports/{partial_id}/")
        undo_here()
        assert stored() == before
        assert not problems, problems
    finally:
        context.close()
