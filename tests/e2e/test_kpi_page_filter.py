"""A company owner in Chromium, on a desktop and on a phone (390 px): on the MRR page types
a filter into the filter bar and reads the segment's MRR, the same figure the API gives,
the chart draws and the records' CSV adds up to; the records list only the segment's
customers; "Compare with another segment" opens the segments page with it as A; a KPI
without customers says it cannot follow instead of showing the company's number."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest

from tests.e2e.conftest import DESKTOP, PHONE, committed_company, inside, logged_in_page
from tests.metrics.kpis.builders import customer, recompute, subscription, traffic

pytestmark = pytest.mark.browser

EMAIL = "owner@kpi-filter-e2e.example"
JAN = date(2025, 1, 1)


@pytest.fixture(scope="module")
def company(django_db_setup, django_db_blocker):
    """Pro in Germany (100), pro in France (250), basic in France (40); traffic."""
    with committed_company(django_db_blocker, "kpifilter", company_name="Filter Co", email=EMAIL) as tenant:
        with inside(django_db_blocker, tenant):
            subscription(customer(country="DE", name="Berlin GmbH"), JAN, amount="100", plan="pro")
            subscription(customer(country="FR", name="Lyon SA"), JAN, amount="250", plan="pro")
            subscription(customer(country="FR", name="Nantes SARL"), JAN, amount="40", plan="basic")
            traffic(JAN, 500, channel="social")
            recompute()
        yield tenant


def fetch_json(page, url: str):
    return page.evaluate("async url => (await fetch(url)).json()", url)


def fetch_text(page, url: str) -> str:
    return page.evaluate("async url => await (await fetch(url)).text()", url)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_kpi_page_follows_a_typed_filter_with_the_apis_figure(live_site, chromium, company, viewport):
    page, base, problems = logged_in_page(chromium, port=live_site, slug=company.slug, email=EMAIL,
                                          viewport=viewport)

    page.goto(f"{base}/kpis/mrr/?month=2025-03")
    assert page.get_by_test_id("kpi-value").inner_text() == "$390.00"  # the whole company
    page.fill("#filter-text", "country:fr")
    page.get_by_test_id("filter-bar").get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"month=2025-03.*filter=country%3Afr"))
    assert "country:FR" in page.get_by_test_id("filter-active").inner_text()

    shown = page.get_by_test_id("kpi-value").inner_text()
    api = fetch_json(page, "/api/v1/kpis/mrr/?period=2025-03&filter=country:FR")["value"]
    assert (shown, api) == ("$290.00", 290)  # Lyon 250 + Nantes 40

    page.wait_for_selector("canvas[data-chart-url][data-drawn=true]")
    drawn = page.evaluate("() => { const chart = Chart.getChart(document.querySelector('canvas[data-chart-url]'));"
                          " return {labels: chart.data.labels, label: chart.data.datasets[0].label,"
                          " data: chart.data.datasets[0].data}; }")
    assert drawn["label"] == "Monthly recurring revenue (country:FR)"
    assert drawn["data"][drawn["labels"].index("2025-03")] == 290

    page.wait_for_selector("#records table")  # loaded by htmx with the page's filter
    listed = page.locator("#records").inner_text()
    assert "Lyon SA" in listed and "Nantes SARL" in listed and "Berlin GmbH" not in listed
    export = page.locator("#records a", has_text="Export CSV").get_attribute("href")
    assert "filter=country%3AFR" in export
    rows = list(csv.DictReader(io.StringIO(fetch_text(page, export))))
    assert sum(Decimal(row["mrr"]) for row in rows) == 290
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    page.get_by_test_id("kpi-segments-link").click()
    page.wait_for_url(re.compile(r"/kpis/mrr/segments/\?filter=country%3AFR$"))
    assert page.get_by_test_id("segment-filter-value").inner_text() == "$290.00"

    page.goto(f"{base}/kpis/visits/?month=2025-01&filter=country:FR")
    assert "Visits cannot follow a customer filter" in page.get_by_test_id("kpi-no-value").inner_text()
    assert "500" not in page.get_by_test_id("kpi-value").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert problems == []
    page.context.close()
