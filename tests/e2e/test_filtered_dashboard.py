"""A company owner in Chromium, on a desktop and on a phone (390 px), filters the whole
dashboard to one plan and country (issue 18's "done when"): types plan:pro,country:DE in
the bar, applies it, reads the segment's cards (worked by hand), changes the month with
the filter kept, sees traffic say it cannot follow, and clears the filter."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.e2e.conftest import DESKTOP, PHONE, committed_company, inside, logged_in_page
from tests.metrics.kpis.builders import customer, recompute, subscription, traffic

pytestmark = pytest.mark.browser

EMAIL = "owner@filtered-dashboard-e2e.example"
JAN, FEB = date(2025, 1, 1), date(2025, 2, 1)


@pytest.fixture(scope="module")
def company(django_db_setup, django_db_blocker):
    """DE pro 100 (from January) and 60 (from February), FR pro 250, DE basic 40; traffic.
    plan:pro,country:DE: MRR 100 in January, 160 after; the company: 390, then 450."""
    with committed_company(django_db_blocker, "filterdash", company_name="Filter Co", email=EMAIL) as tenant:
        with inside(django_db_blocker, tenant):
            subscription(customer(country="DE"), JAN, amount="100", plan="pro")
            subscription(customer(country="DE"), FEB, amount="60", plan="pro")
            subscription(customer(country="FR"), JAN, amount="250", plan="pro")
            subscription(customer(country="DE"), JAN, amount="40", plan="basic")
            traffic(FEB, 500, channel="social", conversions=5)
            recompute()
        yield tenant


def mrr(page) -> str:
    return page.locator("li[data-kpi=mrr] .kpi-card__value").first.inner_text()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_whole_dashboard_filtered_to_one_plan_and_country(live_site, chromium, company, viewport):
    page, base, problems = logged_in_page(chromium, port=live_site, slug=company.slug, email=EMAIL,
                                          viewport=viewport)
    assert mrr(page) == "$450.00"

    page.fill("#filter-text", "plan:pro,country:DE")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"filter=plan%3Apro%2Ccountry%3ADE"))
    assert mrr(page) == "$160.00"
    assert page.get_by_test_id("filter-active").inner_text() == "Showing customers where plan:pro,country:DE."
    visits = page.locator("li[data-kpi=visits]").first
    assert "Cannot follow a customer filter" in visits.inner_text()
    assert visits.locator(".kpi-card__value").count() == 0
    page.wait_for_function("() => [...document.querySelectorAll('canvas[data-chart-url]')]"
                           ".every((c) => c.dataset.drawn)")

    page.select_option("#month", "2025-01")
    page.locator("form.month-picker button[type=submit]").click()
    page.wait_for_url(re.compile(r"month=2025-01"))
    assert "filter=plan%3Apro%2Ccountry%3ADE" in page.url
    assert mrr(page) == "$100.00"  # January: the first German pro only
    assert page.locator("#filter-text").input_value() == "plan:pro,country:DE"

    page.get_by_test_id("filter-clear").click()
    page.wait_for_url(re.compile(r"/\?month=2025-01$"))
    assert mrr(page) == "$390.00"  # the whole company in January
    assert page.get_by_test_id("filter-active").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert problems == []
    page.context.close()
