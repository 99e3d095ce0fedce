"""A company owner in Chromium, on a desktop and on a phone (390 px): on the customer
churn rate page picks a range of months, switches the chart to quarters (the quarter's
churn recomputed from its inputs: 30 %), turns on year over year (a second line, the
same quarters a year earlier), takes a preset, and on the MRR page reads MRR on a day."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from tests.e2e.conftest import DESKTOP, PHONE, committed_company, logged_in_page
from tests.metrics.kpis.first_quarter import build

pytestmark = pytest.mark.browser

EMAIL = "owner@ranges-e2e.example"
CHART = "canvas[data-chart-url]"


@pytest.fixture(scope="module")
def company(django_db_setup, django_db_blocker):
    """A committed company with tests/metrics/kpis/first_quarter.py's months; dropped afterwards."""
    with committed_company(django_db_blocker, "ranges", company_name="Range Co", email=EMAIL) as tenant:
        with django_db_blocker.unblock():
            connection.set_tenant(tenant)
            build()
            connection.set_schema_to_public()
        yield tenant


def chart_data(page) -> dict:
    page.wait_for_selector(f"{CHART}[data-drawn=true]")
    return page.evaluate("() => { const chart = Chart.getChart(document.querySelector('canvas[data-chart-url]'));"
                         " return {labels: chart.data.labels,"
                         " datasets: chart.data.datasets.map(set => ({label: set.label, data: set.data}))}; }")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_range_by_quarter_with_the_year_before(live_site, chromium, company, viewport):
    page, base, problems = logged_in_page(chromium, port=live_site, slug=company.slug, email=EMAIL,
                                          viewport=viewport)

    page.goto(f"{base}/kpis/customer_churn_rate/?month=2025-03")
    assert len(chart_data(page)["labels"]) == 12  # the last 12 months by month, as before

    page.fill("#chart-from", "2024-12")
    page.fill("#chart-to", "2025-03")
    page.select_option("#chart-granularity", "quarter")
    page.get_by_test_id("kpi-range-form").get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"granularity=quarter"))
    chart = chart_data(page)
    assert chart["labels"] == ["2024-Q4 (partial)", "2025-Q1"]
    assert chart["datasets"] == [{"label": "Customer churn rate", "data": [None, 30]}]
    assert "December 2024 to March 2025, by quarter" in page.get_by_test_id("chart-range").inner_text()

    page.get_by_role("checkbox", name="Year over year").check()
    page.get_by_test_id("kpi-range-form").get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"yoy=1"))
    chart = chart_data(page)
    assert [dataset["label"] for dataset in chart["datasets"]] == [
        "Customer churn rate", "Customer churn rate, a year earlier"]
    assert page.get_by_test_id("kpi-range-form").locator("#chart-granularity").input_value() == "quarter"
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    page.get_by_role("link", name="All months", exact=True).click()
    page.wait_for_url(re.compile(r"from=2024-12&to=2025-06&granularity=quarter&yoy=1"))
    assert chart_data(page)["labels"] == ["2024-Q4 (partial)", "2025-Q1", "2025-Q2"]

    page.goto(f"{base}/kpis/mrr/?month=2025-03")
    page.fill("#mrr-day", "2025-01-19")
    page.get_by_role("button", name="Show MRR").click()
    page.wait_for_url(re.compile(r"date=2025-01-19"))
    assert "At the end of 2025-01-19: $1,000" in page.get_by_test_id("mrr-on-day").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert problems == []
    page.context.close()
