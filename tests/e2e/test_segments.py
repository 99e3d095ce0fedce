"""A company owner in Chromium, on a desktop and on a phone (390 px): from the MRR page
opens By segment, types two filters, reads the two segments side by side (the API's
very figures, hand-checked, and the CSV's), saves one and finds it offered again; sees
them drawn as two lines (the chart's numbers the CSV's); picks a filter from the values
the filter bar suggests."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.e2e.conftest import DESKTOP, PHONE, committed_company, inside, logged_in_page
from tests.metrics.kpis.builders import customer, recompute, subscription

pytestmark = pytest.mark.browser

EMAIL = "owner@segments-e2e.example"
JAN = date(2025, 1, 1)


@pytest.fixture(scope="module")
def company(django_db_setup, django_db_blocker):
    """Pro in Germany (100), pro in France (250), basic in France (40)."""
    with committed_company(django_db_blocker, "segments", company_name="Segment Co", email=EMAIL) as tenant:
        with inside(django_db_blocker, tenant):
            subscription(customer(country="DE"), JAN, amount="100", plan="pro")
            subscription(customer(country="FR"), JAN, amount="250", plan="pro")
            subscription(customer(country="FR"), JAN, amount="40", plan="basic")
            recompute()
        yield tenant


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_two_segments_side_by_side_show_the_apis_figures(live_site, chromium, company, viewport):
    page, base, problems = logged_in_page(chromium, port=live_site, slug=company.slug, email=EMAIL,
                                          viewport=viewport)

    page.goto(f"{base}/kpis/mrr/")
    page.get_by_test_id("kpi-segments-link").click()
    page.wait_for_url(re.compile(r"/kpis/mrr/segments/$"))
    page.fill("#segment-filter", "plan:pro")
    page.fill("#segment-compare", "country:FR")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url(re.compile(r"filter=plan%3Apro&compare=country%3AFR"))
    shown = [page.get_by_test_id(f"segment-{side}-value").inner_text() for side in ("filter", "compare")]
    assert shown == ["$350.00", "$290.00"]  # 100 + 250 on pro; 250 + 40 in France

    period = page.locator("[data-testid=segment-filter] p.muted").inner_text()
    assert period == "June 2025"
    api = [page.evaluate("async url => (await (await fetch(url)).json()).value",
                         f"/api/v1/kpis/mrr/?period=2025-06&filter={text}") for text in ("plan:pro", "country:FR")]
    assert api == [350, 290]
    csv_text = page.evaluate("async url => await (await fetch(url)).text()",
                             page.get_by_test_id("segments-csv").get_attribute("href"))
    assert csv_text.splitlines()[0] == "month,A: plan:pro,B: country:FR"
    assert csv_text.splitlines()[-1] == "2025-06,350,290"
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    page.fill("#save-name", f"Pro {viewport['width']}")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(re.compile(r"segments/\?filter=plan%3Apro$"))
    assert f"Pro {viewport['width']} (plan:pro)" in page.get_by_test_id("saved-segments").inner_text()

    assert problems == []

    page.fill("#segment-filter", "colour:red")
    page.get_by_role("button", name="Compare").click()
    assert "known attributes: plan" in page.get_by_test_id("segment-error").inner_text()
    page.context.close()


def csv_columns(page, url: str) -> tuple[list[str], list[list[float | None]]]:
    lines = page.evaluate("async url => await (await fetch(url)).text()", url).splitlines()[1:]
    rows = [line.split(",") for line in lines]
    return [row[0] for row in rows], [[float(row[side]) if row[side] else None for row in rows] for side in (1, 2)]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_two_segments_are_drawn_as_two_lines_of_the_csvs_numbers(live_site, chromium, company, viewport):
    page, base, problems = logged_in_page(chromium, port=live_site, slug=company.slug, email=EMAIL,
                                          viewport=viewport)
    page.goto(f"{base}/kpis/mrr/segments/?filter=plan:pro&compare=country:FR")
    canvas = page.get_by_test_id("segments-chart")
    page.wait_for_selector("[data-testid=segments-chart][data-drawn=true]")
    assert canvas.is_visible() and canvas.bounding_box()["width"] > 200
    drawn = page.evaluate("""() => { const chart = Chart.getChart(document.querySelector('[data-testid=segments-chart]'));
        return {labels: chart.data.labels, lines: chart.data.datasets.map(set => [set.label, set.data])}; }""")
    months, columns = csv_columns(page, page.get_by_test_id("segments-csv").get_attribute("href"))
    assert drawn["labels"] == months and months[-1] == "2025-06"
    assert drawn["lines"] == [["A: plan:pro", columns[0]], ["B: country:FR", columns[1]]]
    assert columns[0][-1] == 350 and columns[1][-1] == 290  # hand-checked, as the cards above
    last_row = page.locator("[data-testid=segment-months] tbody tr").last.inner_text().split("\t")
    assert last_row == ["Jun 2025", "$350.00", "$290.00"]  # the table under the chart: the same numbers
    assert page.locator("#segments-chart-summary").inner_text() == "Latest (2025-06): A: plan:pro: $350; B: country:FR: $290."
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert problems == []
    page.context.close()


def test_a_suggested_value_applied_filters_the_page(live_site, chromium, company):
    page, base, problems = logged_in_page(chromium, port=live_site, slug=company.slug, email=EMAIL,
                                          viewport=PHONE)
    page.goto(f"{base}/kpis/mrr/")
    field = page.locator("#filter-text")
    assert field.get_attribute("list") == "filter-suggestions"
    offered = page.eval_on_selector_all("#filter-suggestions option", "options => options.map(o => o.value)")
    # This company's values and nothing else (its saved segments, if any, are plan:pro).
    assert set(offered) == {"plan:basic", "plan:pro", "country:DE", "country:FR", "currency:USD", "interval:month"}
    field.fill("country:DE")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"filter=country%3ADE"))
    assert "country:DE" in page.get_by_test_id("filter-active").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert problems == []
    page.context.close()
