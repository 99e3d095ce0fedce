"""A QuickBooks transaction detail report's accounts, mapped to categories that a
person confirms once: the preview lists every account with the category it will get,
an import takes other choices (API and page), remembers them for the company, and
the next import of the report applies them without asking (a note says so)."""

from __future__ import annotations

import html
import json
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from metrics.imports import running
from metrics.models import AccountCategory, DataImport, Expense
from tests.metrics.imports import vendor_files
from tests.metrics.imports.test_pages import browser_for

REPORT = "TransactionDetailByAccount.csv"
SOFTWARE = "Software Subscriptions"


def preview_of(client, **fields) -> dict:
    response = client.post("/api/v1/imports/preview/",
                           {"file": SimpleUploadedFile(REPORT, vendor_files.quickbooks_transaction_detail()),
                            **fields}, format="multipart")
    assert response.status_code == 200, response.content
    return response.json()


def import_via_api(client, tenant, **fields) -> DataImport:
    response = client.post("/api/v1/imports/",
                           {"file": SimpleUploadedFile(REPORT, vendor_files.quickbooks_transaction_detail()),
                            **fields}, format="multipart")
    assert response.status_code == 202, response.content
    connection.set_tenant(tenant)
    running.run_import(import_id=response.json()["id"])
    record = DataImport.objects.select_related("job").get(pk=response.json()["id"])
    assert record.job.status == "succeeded", (record.errors, record.job.error)
    return record


def categories_by_account() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for description, category in Expense.objects.values_list("description", "category"):
        found.setdefault(description.split(":")[0], set()).add(category)
    return found


def test_the_preview_lists_every_account_of_the_report_with_its_category_and_why(acme_owner):
    body = preview_of(acme_owner)
    assert body["source"] == "quickbooks_transaction_detail"
    accounts = {item["account"]: (item["rows"], item["category"], item["from"]) for item in body["accounts"]}
    assert accounts == {
        "Advertising": (5, "marketing", "account map"),
        "Cost of Goods Sold": (1, "cogs", "account map"),
        "Commissions & fees": (1, "sales", "account map"),
        "Rent or Lease": (2, "operating", "account map"),
        SOFTWARE: (1, "other", "not recognised"),
        "Checking": (1, "leave_out", "not an expense by its name"),
        "Sales of Product Income": (1, "leave_out", "not an expense by its name"),
    }
    # In the report's order.
    assert [item["account"] for item in body["accounts"]][:2] == ["Advertising", "Cost of Goods Sold"]
    # A choice previewed: the account's rows as they would be stored follow it.
    chosen = preview_of(acme_owner, categories=json.dumps({SOFTWARE: "operating", "Advertising": "sales"}))
    listed = {item["account"]: (item["category"], item["from"], item["guess"]) for item in chosen["accounts"]}
    assert listed[SOFTWARE] == ("operating", "chosen", "other")
    assert listed["Advertising"] == ("sales", "chosen", "marketing")
    assert {row["values"]["category"] for row in chosen["rows"]
            if row["values"]["description"].startswith("Advertising")} == {"sales"}


def test_choices_sent_with_an_import_are_applied_remembered_and_applied_again_without_asking(acme_owner, acme):
    first = import_via_api(acme_owner, acme.tenant,
                           categories=json.dumps({SOFTWARE: "operating", "Advertising": "marketing",
                                                  "Checking": "leave_out", "Rent or Lease": "leave_out"}))
    # Only what differs from what the account would get anyway is recorded.
    assert first.account_categories == {SOFTWARE: "operating", "Rent or Lease": "leave_out"}
    found = categories_by_account()
    assert found[SOFTWARE] == {"operating"} and "Rent or Lease" not in found
    assert found["Advertising"] == {"marketing"}
    assert ("Accounts read as the categories chosen with this import (rows): Rent or Lease (2) as not an "
            "expense, left out; Software Subscriptions (1) as operating.") in first.notes
    assert not any("not recognised" in note for note in first.notes)
    assert sorted(AccountCategory.objects.values_list("account", "category")) == [
        ("Rent or Lease", "leave_out"), (SOFTWARE, "operating")]
    assert AccountCategory.objects.get(account=SOFTWARE).confirmed_by.email == acme.owner_email

    # The same report again, with no choices: the confirmed ones apply, and a note says so.
    Expense.objects.all().delete()
    connection.set_schema_to_public()
    again = import_via_api(acme_owner, acme.tenant)
    assert again.account_categories == {}
    found = categories_by_account()
    assert found[SOFTWARE] == {"operating"} and "Rent or Lease" not in found
    note = next(note for note in again.notes if note.startswith("Accounts read as the categories confirmed"))
    assert note.startswith("Accounts read as the categories confirmed at an earlier import (rows): Rent or Lease "
                           f"(2) as not an expense, left out, confirmed by {acme.owner_email} on ")
    assert f"Software Subscriptions (1) as operating, confirmed by {acme.owner_email} on " in note
    # The preview shows them as confirmed.
    connection.set_schema_to_public()
    listed = {item["account"]: item for item in preview_of(acme_owner)["accounts"]}
    assert (listed[SOFTWARE]["category"], listed[SOFTWARE]["from"]) == ("operating", "confirmed")
    assert listed[SOFTWARE]["confirmed"].startswith(f"confirmed by {acme.owner_email} on ")


def test_another_company_never_sees_the_choices(acme_owner, globex_owner, acme, globex):
    import_via_api(acme_owner, acme.tenant, categories=json.dumps({SOFTWARE: "operating"}))
    connection.set_schema_to_public()
    listed = {item["account"]: item for item in preview_of(globex_owner)["accounts"]}
    assert (listed[SOFTWARE]["category"], listed[SOFTWARE]["from"]) == ("other", "not recognised")
    connection.set_schema_to_public()
    theirs = import_via_api(globex_owner, globex.tenant)
    assert categories_by_account()[SOFTWARE] == {"other"}
    assert not any("confirmed at an earlier import" in note for note in theirs.notes)
    assert not AccountCategory.objects.exists()


def test_categories_are_checked(acme_owner):
    response = acme_owner.post("/api/v1/imports/", {
        "file": SimpleUploadedFile(REPORT, vendor_files.quickbooks_transaction_detail()),
        "categories": json.dumps({SOFTWARE: "software"})}, format="multipart")
    assert response.status_code == 400
    assert "leave_out" in response.json()["categories"][0]
    response = acme_owner.post("/api/v1/imports/", {
        "file": SimpleUploadedFile("invoices.csv", vendor_files.stripe_invoices()),
        "categories": json.dumps({SOFTWARE: "operating"})}, format="multipart")
    assert response.status_code == 400
    assert "QuickBooks" in response.json()["categories"][0]


def test_the_page_asks_for_unrecognised_accounts_once_without_javascript(in_acme):
    browser = browser_for(in_acme, in_acme.owner_email)
    report = vendor_files.quickbooks_transaction_detail()
    # Import at once: the report has an account the map does not know, so the preview asks first.
    response = browser.post("/imports/", {"kind": "", "file": SimpleUploadedFile(REPORT, report)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "data-accounts" in page and DataImport.objects.count() == 0
    token = re.search(r'name="pending" value="([0-9a-f]{32})"', page).group(1)
    selects = {number: html.unescape(account)
               for number, account in re.findall(r'name="account-(\d+)" value="([^"]*)"', page)}
    index = {account: number for number, account in selects.items()}
    assert re.search(rf'name="account-category-{index[SOFTWARE]}">\s*'
                     r'(<option value="\w+">[^<]*</option>)*<option value="other" selected>', page)
    # Every select is sent, as a form does; the person changed one.
    form = {"pending": token, "kind": "", "mapped_kind": "expenses", "on_error": "reject"}
    for number, account in selects.items():
        form[f"account-{number}"] = account
        form[f"account-category-{number}"] = {
            "Advertising": "marketing", "Cost of Goods Sold": "cogs", "Commissions & fees": "sales",
            "Rent or Lease": "operating", SOFTWARE: "operating", "Checking": "leave_out",
            "Sales of Product Income": "leave_out"}[account]
    response = browser.post("/imports/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    record = DataImport.objects.get()
    assert record.account_categories == {SOFTWARE: "operating"}
    connection.set_tenant(in_acme.tenant)
    running.run_import(import_id=str(record.pk))
    assert categories_by_account()[SOFTWARE] == {"operating"}
    assert AccountCategory.objects.get().category == "operating"

    # The next upload of the report imports at once: nothing is left to ask.
    response = browser.post("/imports/", {"kind": "", "file": SimpleUploadedFile(REPORT, report)})
    assert response.status_code == 302
    assert DataImport.objects.count() == 2
