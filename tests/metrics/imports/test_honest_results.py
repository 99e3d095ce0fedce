"""Import results that tell the truth (issue 15, item 7): an import that wrote nothing
says so and does not look like a plain success; after a rejected import, one click
imports the valid rows."""

import pytest
from django.db import connection

from metrics.imports import running
from metrics.models import Invoice
from tests.metrics.imports.builders import csv_bytes, import_file

HEADER = ["invoice_id", "date", "amount"]
ROWS = [["I1", "2024-01-01", "5"], ["I2", "2024-01-02", "6"]]


@pytest.fixture
def owner_browser(in_acme):
    from tests.metrics.imports.test_pages import browser_for

    return browser_for(in_acme, in_acme.owner_email)


def test_the_same_file_again_succeeds_but_says_nothing_changed(in_acme, acme_owner, owner_browser):
    first = import_file("invoices", csv_bytes(HEADER, ROWS))
    assert not any(warning.startswith("Nothing") for warning in first.warnings)
    assert 'chip chip--ok' in owner_browser.get(f"/imports/{first.pk}/").content.decode()
    again = import_file("invoices", csv_bytes(HEADER, ROWS))
    assert again.status == "succeeded"
    expected = "Nothing changed: all 2 rows were already stored exactly as in the file."
    assert again.warnings[0] == expected
    assert acme_owner.get(f"/api/v1/imports/{again.pk}/").json()["warnings"][0] == expected
    page = owner_browser.get(f"/imports/{again.pk}/").content.decode()
    assert "chip--ok" not in page and "succeeded · nothing changed" in page
    assert expected in page.split("data-nothing-written")[1]
    history = owner_browser.get("/imports/").content.decode()
    assert history.count("succeeded · nothing changed") == 1 and history.count("chip chip--ok") == 1


def test_an_import_whose_every_row_was_skipped_says_nothing_was_written(in_acme, owner_browser):
    skipped = import_file("invoices", csv_bytes(HEADER, [["I1", "bad", "5"], ["I2", "2024-01-02", "x"]]),
                          on_error="skip")
    assert (skipped.status, skipped.rows_rejected) == ("succeeded", 2)
    assert skipped.warnings[0] == "Nothing was written: every row was skipped (2 rows with errors)."
    assert "succeeded · nothing changed" in owner_browser.get(f"/imports/{skipped.pk}/").content.decode()


def test_unchanged_and_skipped_rows_together_are_both_named(in_acme):
    import_file("invoices", csv_bytes(HEADER, ROWS))
    mixed = import_file("invoices", csv_bytes(HEADER, [*ROWS, ["I3", "bad", "1"]]), on_error="skip")
    assert mixed.warnings[0] == ("Nothing changed: 2 rows were already stored exactly as in the file, "
                                 "and 1 row was skipped.")


def test_after_a_rejected_import_one_api_call_imports_the_valid_rows(in_acme, acme_owner):
    rejected = import_file("invoices", csv_bytes(HEADER, [*ROWS, ["I3", "bad", "1"]]))
    assert (rejected.status, rejected.rows_rejected) == ("failed", 1)
    response = acme_owner.post(f"/api/v1/imports/{rejected.pk}/retry/?on_error=skip")
    assert response.status_code == 202, response.content
    assert (response.json()["status"], response.json()["on_error"], response.json()["id"]) == (
        "queued", "skip", str(rejected.pk))
    connection.set_tenant(in_acme.tenant)
    running.run_import(import_id=str(rejected.pk))
    body = acme_owner.get(f"/api/v1/imports/{rejected.pk}/").json()
    assert (body["status"], body["rows_created"], body["rows_rejected"]) == ("succeeded", 2, 1)
    connection.set_tenant(in_acme.tenant)
    assert sorted(Invoice.objects.values_list("invoice_id", flat=True)) == ["I1", "I2"]
    again = acme_owner.post(f"/api/v1/imports/{rejected.pk}/retry/?on_error=skip")
    assert again.status_code == 400 and "Only a failed import" in again.json()["detail"][0]
    assert acme_owner.post(f"/api/v1/imports/{rejected.pk}/retry/?on_error=maybe").status_code == 400


def test_the_rejected_imports_page_has_a_button_that_imports_the_valid_rows(in_acme, owner_browser):
    rejected = import_file("invoices", csv_bytes(HEADER, [*ROWS, ["I3", "bad", "1"]]))
    page = owner_browser.get(f"/imports/{rejected.pk}/").content.decode()
    assert 'name="on_error" value="skip"' in page and "Import the valid rows, skip the 1 rejected" in page
    response = owner_browser.post(f"/imports/{rejected.pk}/retry/", {"on_error": "skip"})
    assert response.status_code == 302 and response["Location"] == f"/imports/{rejected.pk}/"
    connection.set_tenant(in_acme.tenant)
    running.run_import(import_id=str(rejected.pk))
    done = owner_browser.get(f"/imports/{rejected.pk}/").content.decode()
    assert "chip chip--ok" in done and "Import the valid rows" not in done
    connection.set_tenant(in_acme.tenant)
    assert Invoice.objects.count() == 2
    # A file refused as a whole has no valid rows to offer.
    refused = import_file("invoices", csv_bytes(["nothing", "useful"], [["a", "b"]]))
    assert refused.status == "failed"
    assert "Import the valid rows" not in owner_browser.get(f"/imports/{refused.pk}/").content.decode()
