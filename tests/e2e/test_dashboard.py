"""A company owner in Chromium: logs in to a company filled with the demo data (through
the real import pipeline and KPI engine), sees the cards and the charts actually
drawn, changes the month, opens a KPI page, drills down and exports the records."""

from __future__ import annotations


import pytest
from django.db import connection
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tenants.demo import DEMO_EMAIL, DEMO_PASSWORD, fill_demo_data
from tests.e2e.conftest import DESKTOP, PHONE, committed_company, logged_in_page

pytestmark = pytest.mark.browser

CANVAS_HAS_PIXELS = """(canvas) => {
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) return true;
  return false;
}"""


@pytest.fixture(scope="module")
def demo_company(django_db_setup, django_db_blocker):
    """A committed company of its own with two years of demo data; dropped afterwards."""
    with committed_company(django_db_blocker, "e2e", company_name="Dash Demo", email=DEMO_EMAIL,
                           password=DEMO_PASSWORD, timezone="Europe/London") as tenant:
        with django_db_blocker.unblock():
            fill_demo_data(tenant)
            connection.set_schema_to_public()
        yield tenant


@pytest.fixture
def browser_page(live_site, chromium, demo_company):
    page, page.base, page.problems = logged_in_page(
        chromium, port=live_site, slug=demo_company.slug, email=DEMO_EMAIL, password=DEMO_PASSWORD,
        viewport=DESKTOP, accept_downloads=True)
    yield page
    page.context.close()


def drawn_charts(page) -> list[bool]:
    """Whether each chart has pixels on its canvas, once every chart says it is drawn
    and has had the time to paint (a loaded machine paints a few frames late)."""
    page.wait_for_selector("canvas[data-chart-url][data-drawn]")
    page.wait_for_function("""() => [...document.querySelectorAll('canvas[data-chart-url]')]
                                     .every((c) => c.dataset.drawn)""")
    try:
        page.wait_for_function(f"""() => [...document.querySelectorAll('canvas[data-chart-url]')]
                                         .every({CANVAS_HAS_PIXELS})""", timeout=10_000)
    except PlaywrightTimeout:
        pass  # the list below says which canvas stayed empty
    return [canvas.evaluate(CANVAS_HAS_PIXELS) for canvas in page.query_selector_all("canvas[data-chart-url]")]


def test_the_dashboard_shows_cards_and_draws_every_chart_and_the_month_can_change(browser_page):
    page = browser_page
    heading = page.inner_text("h1")
    assert heading.startswith("Dash Demo in ")
    cards = page.query_selector_all(".kpi-card")
    assert len(cards) > 40
    assert page.inner_text("[data-kpi=mrr] .kpi-card__value").startswith("$")
    charts = drawn_charts(page)
    assert len(charts) == 6 and all(charts)  # every chart has pixels on its canvas
    assert page.query_selector_all("canvas[data-sparkline][data-drawn]")
    summary = page.inner_text(".chart-summary")
    assert "Monthly recurring revenue: $" in summary  # the text beside the chart, for screen readers

    options = page.query_selector_all("#month option")
    earlier = options[3].get_attribute("value")
    page.select_option("#month", earlier)
    page.click(".month-picker button")
    page.wait_for_url(f"{page.base}/?month={earlier}")
    assert page.inner_text("h1") != heading
    assert all(drawn_charts(page))
    assert page.problems == []


def test_a_kpi_page_with_its_chart_breakdown_drill_down_and_export(browser_page):
    page = browser_page
    # The dashboard opens on the month to date (issue 17); the last complete month has churn to drill into.
    last_complete = page.query_selector_all("#month option")[1].get_attribute("value")
    page.goto(f"{page.base}/?month={last_complete}")
    page.click("[data-kpi=customer_churn_rate] .kpi-card__name a")
    page.wait_for_selector("h1:text-is('Customer churn rate')")
    assert all(drawn_charts(page))
    assert "customers at the start of the month churned." in page.inner_text(".kpi-explanation")

    # The range presets (the 12 / 24 months / All switch they replaced is gone).
    page.get_by_role("link", name="All months", exact=True).click()
    page.wait_for_url("**from=*&to=*")
    drawn_charts(page)
    labels = page.evaluate("() => Chart.getChart(document.querySelector('canvas[data-chart-url]')).data.labels")
    chosen = dict(part.split("=") for part in page.url.split("?", 1)[1].split("&"))
    assert (labels[0], labels[-1]) == (chosen["from"], chosen["to"]) and len(labels) >= 24  # two years of data

    page.wait_for_selector("#breakdown table")  # loaded by htmx after the page
    page.click("text=By country")
    page.wait_for_selector("#breakdown th:text-is('Country')")

    page.wait_for_selector("#records table")
    rows = page.query_selector_all("#records tbody tr")
    churned = int(page.inner_text(".kpi-explanation").split(":", 1)[1].split(" of ")[0])
    assert len(rows) == churned  # the drill-down lists the churned customers the value counts

    with page.expect_download() as download:
        page.click("text=Export CSV")
    lines = open(download.value.path(), encoding="utf-8").read().splitlines()
    assert lines[0].startswith("customer_id,name,segment")
    assert len(lines) == len(rows) + 1
    assert page.problems == []


def test_the_dashboard_fits_a_phone(live_site, chromium, demo_company):
    page, _, _ = logged_in_page(chromium, port=live_site, slug=demo_company.slug, email=DEMO_EMAIL,
                                password=DEMO_PASSWORD, viewport=PHONE, is_mobile=True)
    assert all(drawn_charts(page))
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    page.context.close()
