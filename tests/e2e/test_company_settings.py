"""An owner in Chromium, on a desktop and on a 390 px phone: opens the company settings
from the navigation, changes the time zone, number format and reporting currency, reads
what the new currency needs, and watches the recompute's progress bar finish; the pages
show the new settings at once."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection

from metrics.kpis.tasks import recompute_kpis
from metrics.models import Customer, Subscription
from tenants.signup import tenant_domain
from tests.e2e.conftest import E2E_PASSWORD, committed_company

pytestmark = pytest.mark.browser

SCREENS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
EMAIL = "owner@e2e-company.example"


@pytest.fixture
def company(django_db_setup, django_db_blocker):
    """A committed company reporting in USD with two subscriptions, one of them in GBP."""
    with committed_company(django_db_blocker, "e2e-set", company_name="Settings Co", email=EMAIL) as tenant:
        with django_db_blocker.unblock():
            connection.set_tenant(tenant)
            for number, currency in ((1, ""), (2, "GBP")):
                customer = Customer.objects.create(customer_id=f"c{number}")
                Subscription.objects.create(subscription_id=f"s{number}", customer=customer, amount=100,
                                            currency=currency, start_date=date(2025, 1, 1))
            connection.set_schema_to_public()
        yield tenant


@pytest.mark.parametrize("screen", list(SCREENS))
def test_the_owner_changes_time_zone_and_currency_and_sees_the_recompute_finish(
        live_site, chromium, company, django_db_blocker, screen):
    context = chromium.new_context(viewport=SCREENS[screen])
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    base = f"http://{tenant_domain(company.slug)}:{live_site}"
    width = SCREENS[screen]["width"]

    def fits_the_screen() -> None:
        assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url

    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", EMAIL)
    page.fill("input[name=password]", E2E_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")

    settings_link = page.locator('a.site-nav__link[href="/settings/company/"]')
    assert settings_link.inner_text() == "Settings"
    if settings_link.is_visible():
        settings_link.click()
    else:  # a phone menu that keeps its links folded away
        page.goto(f"{base}/settings/company/")
    page.wait_for_url(f"{base}/settings/company/")
    fits_the_screen()

    page.select_option("#id_timezone", "Asia/Tokyo")
    page.select_option("#id_locale", "de-DE")
    page.select_option("#id_currency", "EUR")
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(rf"{re.escape(base)}/settings/company/\?job=[0-9a-f-]+$"))

    messages = page.locator(".messages").inner_text()
    assert "Saved: time zone, number format, reporting currency." in messages
    assert "now EUR (was USD)" in messages
    assert "1 stored amount in USD has no exchange rate" in messages
    assert "1 stored amount in GBP has no exchange rate" in messages
    needs = page.locator("[data-currency-needs]").inner_text()
    assert "GBP" in needs and "USD" in needs
    progress = page.locator("#recompute-progress")
    assert progress.get_attribute("data-job-status") == "queued"
    assert "Waiting for a worker" in progress.inner_text()
    fits_the_screen()

    job_id = page.url.rsplit("=", 1)[1]
    with django_db_blocker.unblock():  # the worker's part, run here: no worker reads the e2e queue
        company.refresh_from_db()  # as a worker loads it: in EUR now
        connection.set_tenant(company)
        recompute_kpis.run(job_id=job_id)
        connection.set_schema_to_public()

    page.locator("#recompute-progress[data-job-status=succeeded]").wait_for(timeout=10_000)
    done = page.locator("#recompute-progress")
    assert done.locator("progress").get_attribute("value") == "100"
    assert "Done: every KPI is now in EUR." in done.inner_text()
    assert "2 subscriptions are in a currency without any exchange rate" in done.inner_text()
    fits_the_screen()

    page.reload()
    assert page.locator("body").get_attribute("data-locale") == "de-DE"
    assert page.locator("body").get_attribute("data-currency") == "EUR"
    assert page.locator("#id_timezone").input_value() == "Asia/Tokyo"
    assert problems == []
    context.close()
