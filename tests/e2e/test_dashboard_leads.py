"""A company owner in Chromium, on a desktop and on a phone: the dashboard leads with
the headline row of the company's model, a group folds away, a pinned card and a
hidden one are still so after a reload, and a preset and a custom range of months
open (issue 17, item 4)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections

from metrics.models import DashboardCard
from tenants.demo import DEMO_EMAIL, DEMO_PASSWORD, fill_demo_data
from tests.e2e.conftest import committed_company, logged_in_page

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo_company(django_db_setup, django_db_blocker):
    with committed_company(django_db_blocker, "e2elead", company_name="Lead Demo", email=DEMO_EMAIL,
                           password=DEMO_PASSWORD, timezone="Europe/London") as tenant:
        with django_db_blocker.unblock():
            fill_demo_data(tenant)
            connection.set_schema_to_public()
        yield tenant


@pytest.fixture(params=[(1280, 900), (390, 844)], ids=["desktop", "phone"])
def page(request, live_site, chromium, demo_company, django_db_blocker):
    with django_db_blocker.unblock():  # each run starts from the company's default layout
        connection.set_tenant(demo_company)
        DashboardCard.objects.filter(user__in=get_user_model().objects.filter(username=DEMO_EMAIL)).delete()
        connection.set_schema_to_public()
        connections.close_all()  # opened under Playwright's loop: closed here, or it outlives the test database
    width, height = request.param
    page, page.base, page.problems = logged_in_page(
        chromium, port=live_site, slug=demo_company.slug, email=DEMO_EMAIL, password=DEMO_PASSWORD,
        viewport={"width": width, "height": height}, is_mobile=width < 500)
    page.width = width
    yield page
    page.context.close()


def headline_keys(page) -> list[str]:
    return [card.get_attribute("data-kpi") for card in page.query_selector_all(".kpi-headline .kpi-card")]


def test_the_headline_leads_groups_fold_and_a_pinned_and_a_hidden_card_stay_so(page):
    assert "(to date)" in page.inner_text("h1")  # it opens on the month under way
    assert re.fullmatch(r"Partial, day \d+ of \d+", page.inner_text(".kpi-headline [data-kpi=mrr] .kpi-card__partial"))
    headline_top = page.locator(".kpi-headline").bounding_box()["y"]
    first_group_top = page.locator(".kpi-group").first.bounding_box()["y"]
    assert headline_top < first_group_top
    assert headline_keys(page) == ["mrr", "net_new_mrr", "customers", "customer_churn_rate", "nps"]
    # A partial month's change is never painted good or bad.
    assert not page.query_selector_all(".kpi-headline .kpi-card__change--bad, .kpi-headline .kpi-card__change--good")

    # NPS ticks are whole numbers, never "-0" (issue 17, item 7).
    page.wait_for_selector("canvas[data-chart-url*='/charts/satisfaction/'][data-drawn]", state="attached")
    ticks = page.evaluate("""() => Chart.getChart(document.querySelector("canvas[data-chart-url*='/charts/satisfaction/']"))
                                     .scales.y.ticks.map((tick) => tick.label)""")
    assert ticks and all(re.fullmatch(r"−?-?\d+", label) and label not in ("-0", "−0") for label in ticks), ticks

    revenue_group = page.locator("details.kpi-group[data-group='Revenue']")
    revenue_group.locator("summary").click()
    assert revenue_group.get_attribute("open") is None
    assert not revenue_group.locator("[data-kpi=revenue]").is_visible()
    revenue_group.locator("summary").click()

    page.click("details[data-group='Revenue'] [data-kpi=revenue] button[data-action=pin]")
    page.wait_for_selector(".kpi-headline [data-kpi=revenue]")
    page.click(".kpi-headline [data-kpi=nps] button[data-action=hide]")
    page.wait_for_selector(".kpi-hidden [data-kpi=nps]", state="attached")
    page.click(".kpi-headline [data-kpi=revenue] button[data-action=up]")
    page.wait_for_function("""() => [...document.querySelectorAll('.kpi-headline .kpi-card')]
                                     .map((c) => c.dataset.kpi).indexOf('revenue') === 3""")
    assert page.query_selector_all(".kpi-headline canvas[data-sparkline][data-drawn]")  # redrawn after the swap

    page.reload()
    assert headline_keys(page) == ["mrr", "net_new_mrr", "customers", "revenue", "customer_churn_rate"]
    assert not page.query_selector("details[data-group='Revenue'] [data-kpi=revenue]")
    assert page.query_selector(".kpi-hidden [data-kpi=nps]") and not page.query_selector(".kpi-card[data-kpi=nps]")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= page.width
    assert page.problems == []


def test_a_preset_and_a_custom_range_of_months_open_one_click_away(page):
    last_year = date.today().year - 1
    page.click("a[data-preset=last-year]")
    page.wait_for_url(f"**/?from={last_year}-01&to={last_year}-12")
    assert f"January {last_year} to December {last_year}" in page.inner_text("h1")
    assert f"against January {last_year - 1} to December {last_year - 1}" in page.inner_text(".partial-note")
    # Each card says its roll-up rule as the KPI page does (metrics/kpis/rollup.py).
    assert page.inner_text("[data-kpi=revenue] .kpi-card__summary") == "Rule: the months' sum"
    assert page.inner_text("[data-kpi=mrr] .kpi-card__summary") == "Rule: the last month's value"
    assert (page.inner_text("[data-kpi=customer_churn_rate] .kpi-card__summary")
            == "Rule: churned customers summed / customers at the start x 100")

    page.click(".range-custom summary")
    page.select_option("#range-from", f"{last_year}-01")
    page.select_option("#range-to", f"{last_year}-03")
    page.click(".range-form button")
    page.wait_for_url(f"**/?from={last_year}-01&to={last_year}-03")
    assert f"January {last_year} to March {last_year}" in page.inner_text("h1")
    assert f"vs Oct {last_year - 1}–Dec {last_year - 1}" in page.inner_text("[data-kpi=revenue] .kpi-card__change")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= page.width
    assert page.problems == []
