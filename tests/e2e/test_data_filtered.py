"""A company owner in Chromium, on a desktop and on a phone (390 px), types a customer
filter on the Data page: the list narrows to that segment's customers, the CSV link
carries the filter and downloads the same rows, the other kinds that follow keep it (a
plan keeps only its subscriptions), traffic says it cannot follow, and a wrong filter
is said on the page (a 400) without breaking the layout."""

from __future__ import annotations

import csv
import io
import re

import pytest

from tests.e2e.conftest import DESKTOP, PHONE, committed_company, inside, logged_in_page
from tests.metrics.data.test_filtered_records import build_three_customers

pytestmark = pytest.mark.browser

EMAIL = "owner@data-filter-e2e.example"


@pytest.fixture(scope="module")
def company(django_db_setup, django_db_blocker):
    """A committed company with the worked example: Anna and Bert in Germany on pro (Anna
    on basic too), Chloe in France on pro."""
    with committed_company(django_db_blocker, "datafilter", company_name="Data Filter Co", email=EMAIL) as tenant:
        with inside(django_db_blocker, tenant):
            build_three_customers()
        yield tenant


def _first_column(page) -> list[str]:
    return sorted(text.strip() for text in page.locator("table.table tbody tr td:first-child").all_inner_texts())


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_typed_filter_narrows_the_list_and_its_csv(live_site, chromium, company, viewport):
    page, base, problems = logged_in_page(chromium, port=live_site, slug=company.slug, email=EMAIL,
                                          viewport=viewport)
    page.goto(f"{base}/data/customers/")
    assert _first_column(page) == ["anna", "bert", "chloe"]

    page.fill("#filter-text", "plan:pro,country:de")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"filter=plan%3Apro%2Ccountry%3Ade"))
    assert page.get_by_test_id("filter-active").inner_text() == "Showing customers where plan:pro,country:DE."
    assert _first_column(page) == ["anna", "bert"]
    assert page.locator("h1 .count").inner_text() == "(2)"
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    # The CSV link carries the filter and downloads the same customers.
    csv_href = page.get_by_role("link", name="Export CSV").get_attribute("href")
    assert "filter=plan%3Apro%2Ccountry%3Ade" in csv_href
    text = page.evaluate("href => fetch(href).then(answer => answer.text())", csv_href)
    assert sorted(row["customer_id"] for row in csv.DictReader(io.StringIO(text))) == ["anna", "bert"]

    # Subscriptions keep the filter: the German customers' pro subscriptions, not Anna's basic one.
    page.get_by_role("navigation", name="Kinds of data").get_by_role("link", name="Subscriptions").click()
    page.wait_for_url(re.compile(r"/data/subscriptions/\?filter=plan%3Apro%2Ccountry%3ADE"))
    plans = page.locator("table.table tbody tr td:nth-child(3)").all_inner_texts()
    assert sorted(plans) == ["pro", "pro"]

    # A search on top of the filter keeps both.
    page.fill("#q", "anna")
    page.get_by_role("button", name="Filter", exact=True).click()
    page.wait_for_url(re.compile(r"q=anna"))
    assert "filter=plan%3Apro%2Ccountry%3ADE" in page.url
    assert page.locator("h1 .count").inner_text() == "(1)"

    # Traffic belongs to no customer: said, nothing listed.
    with page.expect_navigation() as navigation:
        page.goto(f"{base}/data/traffic/?filter=country:DE")
    assert navigation.value.status == 400
    assert "cannot follow a customer filter" in page.get_by_test_id("data-problem").inner_text()
    assert page.locator("table.table").count() == 0 and page.locator("h1 .count").count() == 0

    # A wrong filter: said on the page, a 400, nothing listed, the layout whole.
    page.goto(f"{base}/data/customers/")
    page.fill("#filter-text", "planet:mars")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Apply").click()
    assert navigation.value.status == 400
    assert "Unknown attribute 'planet'" in page.get_by_test_id("filter-error").inner_text()
    assert page.locator("table.table").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    # The browser reports the 400 documents themselves; nothing else may fail.
    assert [p for p in problems if "status of 400" not in p] == []
    page.context.close()
