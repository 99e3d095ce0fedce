"""Searching the stored records of every kind: the API's ``?search=``, the Data page's
``?q=`` and its CSV export find a record by any of its text columns, and a
subscription or invoice by its customer's id, name or e-mail (issue 16, finding 1:
``icontains`` on the customer foreign key answered 500)."""

from __future__ import annotations

import csv
import io

import pytest

from metrics.imports.kinds import KINDS
from tests.metrics.imports.builders import example_rows, import_records
from tests.metrics.imports.test_pages import browser_for


def _needle(kind: str) -> tuple[str, str]:
    """A text of the first example row that the second does not hold, and the column
    that has it (the search must find that row only)."""
    first, second = example_rows(kind)
    for column in KINDS[kind].columns:
        value = str(first[column.name])
        if column.type in ("str", "email", "slug", "choice", "country", "currency") and value \
                and value.lower() not in str(second[column.name]).lower():
            return column.name, value
    raise AssertionError(f"{kind} has no text column to search")


def _exported(browser, kind: str, query: str) -> list[dict]:
    response = browser.get(f"/data/{kind}/export.csv?q={query}")
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.fixture
def owner_browser(in_acme):
    return browser_for(in_acme, in_acme.owner_email)


@pytest.fixture
def every_kind_stored(in_acme):
    import_records("fx_rates", example_rows("fx_rates"))
    import_records("customers", example_rows("customers"))
    for kind in KINDS:
        if kind not in ("fx_rates", "customers"):
            record = import_records(kind, example_rows(kind))
            assert record.status == "succeeded", (kind, record.errors)


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_search_finds_the_record_holding_the_text_in_every_kind(kind, every_kind_stored, acme_owner,
                                                                  owner_browser):
    column, needle = _needle(kind)
    listed = acme_owner.get(f"/api/v1/data/{kind}/", {"search": needle})
    assert listed.status_code == 200, listed.content
    assert [row[column] for row in listed.json()["results"]] == [needle]
    page = owner_browser.get(f"/data/{kind}/", {"q": needle})
    assert page.status_code == 200
    assert needle in page.content.decode()
    assert [row[column] for row in _exported(owner_browser, kind, needle)] == [needle]
    nothing = acme_owner.get(f"/api/v1/data/{kind}/", {"search": "no-such-text-anywhere"}).json()
    assert nothing["count"] == 0
    assert owner_browser.get(f"/data/{kind}/", {"q": "no-such-text-anywhere"}).status_code == 200


@pytest.mark.parametrize("kind", ["subscriptions", "invoices"])
def test_subscriptions_and_invoices_are_found_by_their_customers_id_name_or_email(kind, every_kind_stored,
                                                                                   acme_owner, owner_browser):
    # The example customers: C001 "Northwind Ltd" billing@northwind.example, C002 Contoso.
    for search in ("c001", "NORTHWIND", "billing@northwind"):
        listed = acme_owner.get(f"/api/v1/data/{kind}/", {"search": search})
        assert listed.status_code == 200, listed.content
        assert [row["customer_id"] for row in listed.json()["results"]] == ["C001"]
        assert [row["customer_id"] for row in _exported(owner_browser, kind, search)] == ["C001"]
        page = owner_browser.get(f"/data/{kind}/", {"q": search}).content.decode()
        assert "C001" in page and "C002" not in page
    both = acme_owner.get(f"/api/v1/data/{kind}/", {"search": "C00"}).json()
    assert sorted(row["customer_id"] for row in both["results"]) == ["C001", "C002"]


def test_an_invoice_without_a_customer_is_still_found_by_its_own_columns(every_kind_stored, acme_owner):
    import_records("invoices", [{"invoice_id": "LONE-1", "date": "2024-03-01", "amount": "5.00"}])
    listed = acme_owner.get("/api/v1/data/invoices/", {"search": "lone"}).json()
    assert [(row["invoice_id"], row["customer_id"]) for row in listed["results"]] == [("LONE-1", "")]


def test_a_search_never_reaches_another_companys_records(every_kind_stored, globex_owner, globex):
    for kind in ("invoices", "subscriptions", "customers"):
        _, needle = _needle(kind)
        assert globex_owner.get(f"/api/v1/data/{kind}/", {"search": needle}).json()["count"] == 0
    assert globex_owner.get("/api/v1/data/invoices/", {"search": "northwind"}).json()["count"] == 0
