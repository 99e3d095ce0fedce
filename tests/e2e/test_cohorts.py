"""A company owner in Chromium, on a desktop and on a phone (390 px): opens Cohorts from
the menu, sees the heatmap with the same figures the API gives, switches the metric,
selects a cell and sees that cohort's customers still paying at that month's end."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import DESKTOP, PHONE, committed_company, inside, logged_in_page
from tests.metrics.cohorts.example import build

pytestmark = pytest.mark.browser

EMAIL = "owner@cohorts-e2e.example"


@pytest.fixture(scope="module")
def company(django_db_setup, django_db_blocker):
    """A committed company with docs/cohorts.md's worked example; dropped afterwards."""
    with committed_company(django_db_blocker, "cohorts", company_name="Cohort Co", email=EMAIL) as tenant:
        with inside(django_db_blocker, tenant):
            build()
        yield tenant


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_heatmap_matches_the_api_and_a_cell_opens_its_customers(live_site, chromium, company, viewport):
    page, base, problems = logged_in_page(chromium, port=live_site, slug=company.slug, email=EMAIL,
                                          viewport=viewport)

    menu = page.get_by_role("button", name=re.compile("^Menu"))
    if menu.is_visible():
        menu.click()
    page.locator("#site-nav").get_by_role("link", name="Cohorts", exact=True).click()
    page.wait_for_url(re.compile(r"/cohorts/$"))
    matrix = page.get_by_test_id("cohort-matrix")
    assert matrix.is_visible()

    page.select_option("#cohort-metric", "mrr_retention")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"metric=mrr_retention"))
    api = page.evaluate("fetch('/api/v1/cohorts/?metric=mrr_retention&from=2025-01&to=2025-04')"
                        ".then(answer => answer.json())")
    for cohort in api["cohorts"]:
        row = page.locator(f'tr[data-cohort="{cohort["cohort"]}"]')
        shown = [text.strip() for text in row.locator("td[data-k]").all_inner_texts()]
        assert shown == [f"{value:.1f} %" for value in cohort["values"]]
    assert [row["values"] for row in api["cohorts"]] == [[100, 87.5, 77.5, 102.5], [100, 100, 100]]
    averages = page.get_by_test_id("cohort-averages").locator("td.num").all_inner_texts()
    assert averages == ["100.0 %", "91.7 %", "85.0 %", "102.5 %"]

    # The page itself never scrolls sideways; the matrix does, inside its frame.
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    cell = page.locator('tr[data-cohort="2025-01"] td[data-k="2"] a')
    cell.scroll_into_view_if_needed()
    assert cell.is_visible()
    cell.click()
    page.wait_for_url(re.compile(r"/cohorts/customers/\?"))
    assert page.get_by_role("heading", level=1).inner_text() == "January 2025 cohort at the end of March 2025"
    assert page.get_by_test_id("cohort-customer-count").inner_text() == "3 customers: still paying"
    names = page.locator('td[data-label="Name"]').all_inner_texts()
    assert [name.strip() for name in names] == ["A", "C", "D"]
    page.get_by_role("link", name="Not paying").click()
    page.wait_for_url(re.compile(r"status=gone"))
    assert [name.strip() for name in page.locator('td[data-label="Name"]').all_inner_texts()] == ["B"]
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Cohorts").click()
    page.wait_for_url(re.compile(r"/cohorts/\?metric=mrr_retention"))
    assert problems == []
    page.context.close()
