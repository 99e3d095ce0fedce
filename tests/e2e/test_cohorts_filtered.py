"""A company owner in Chromium, on a desktop and on a phone (390 px), filters the
Cohorts page to one country with the filter bar: the heatmap shows that country's
cohorts with the figures the API gives for the same filter, its CSV button downloads
them, a cell opens that country's customers only, and a wrong filter is said on the
page (a 400) without breaking the layout."""

from __future__ import annotations

import csv
import io
import re

import pytest

from tests.e2e.conftest import DESKTOP, PHONE, committed_company, inside, logged_in_page
from tests.metrics.cohorts.test_filters import build_in_countries

pytestmark = pytest.mark.browser

EMAIL = "owner@cohorts-filter-e2e.example"
START = "/cohorts/?metric=mrr_retention&from=2025-01&to=2025-04"


@pytest.fixture(scope="module")
def company(django_db_setup, django_db_blocker):
    """A committed company with the worked example, A and B in Germany, C, D, E in France."""
    with committed_company(django_db_blocker, "cohortsfilter", company_name="Cohort Filter Co",
                           email=EMAIL) as tenant:
        with inside(django_db_blocker, tenant):
            build_in_countries()
        yield tenant


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_country_filter_gives_the_apis_figures_its_csv_and_its_customers(live_site, chromium, company, viewport):
    page, base, problems = logged_in_page(chromium, port=live_site, slug=company.slug, email=EMAIL,
                                          viewport=viewport)
    page.goto(f"{base}{START}")
    page.fill("#filter-text", "country:fr")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"filter=country%3Afr"))
    assert page.get_by_test_id("filter-active").inner_text() == "Showing customers where country:FR."

    api = page.evaluate("fetch('/api/v1/cohorts/?metric=mrr_retention&from=2025-01&to=2025-04&filter=country:FR')"
                        ".then(answer => answer.json())")
    assert [(row["cohort"], row["size"], row["values"]) for row in api["cohorts"]] == [
        ("2025-01", 2, [100, 125, 105, 105]), ("2025-02", 1, [100, 100, 100])]
    for cohort in api["cohorts"]:
        row = page.locator(f'tr[data-cohort="{cohort["cohort"]}"]')
        shown = [text.strip() for text in row.locator("td[data-k]").all_inner_texts()]
        assert shown == [f"{value:.1f} %" for value in cohort["values"]]

    # The CSV button downloads the same figures.
    csv_href = page.get_by_role("link", name="Export CSV").get_attribute("href")
    assert "filter=country%3AFR" in csv_href
    text = page.evaluate("href => fetch(href).then(answer => answer.text())", csv_href)
    rows = list(csv.reader(io.StringIO(text)))
    assert [(row[0], row[1], [float(v) for v in row[3:] if v]) for row in rows[1:3]] == [
        (c["cohort"], str(c["size"]), c["values"]) for c in api["cohorts"]]

    # Switching the metric keeps the filter.
    page.select_option("#cohort-metric", "customer_retention")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"metric=customer_retention.*filter=country%3AFR"))
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    cell = page.locator('tr[data-cohort="2025-01"] td[data-k="2"] a')
    cell.scroll_into_view_if_needed()
    cell.click()
    page.wait_for_url(re.compile(r"/cohorts/customers/\?.*filter=country%3AFR"))
    assert page.get_by_test_id("cohort-customer-count").inner_text() == "2 customers: still paying"
    assert [name.strip() for name in page.locator('td[data-label="Name"]').all_inner_texts()] == ["C", "D"]
    page.get_by_role("link", name="Not paying").click()
    page.wait_for_url(re.compile(r"status=gone"))
    assert "No customers of this cohort" in page.locator("main").inner_text()  # France lost nobody
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Cohorts").click()
    page.wait_for_url(re.compile(r"/cohorts/\?.*filter=country%3AFR"))

    # A wrong filter: said on the page, a 400, the layout whole.
    page.fill("#filter-text", "planet:mars")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Apply").click()
    assert navigation.value.status == 400
    assert "Unknown attribute 'planet'" in page.get_by_test_id("filter-error").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    # The browser reports the 400 document itself; nothing else may fail.
    assert [p for p in problems if "status of 400" not in p] == []
    page.context.close()
