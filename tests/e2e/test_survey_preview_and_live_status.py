"""An owner reads the survey e-mail before sending it, then watches the sending figures
move on the survey page without reloading it: on a desktop and on a phone (390 px),
under the strict Content-Security-Policy."""

from __future__ import annotations

import re
import uuid

import pytest
from django.db import connection

from metrics.models import Customer
from surveys import delivery
from surveys.models import Survey, SurveyRecipient

pytestmark = pytest.mark.browser


@pytest.fixture
def survey(acme, committed_db):
    """A committed draft to three committed customers and one listed id matching nobody."""
    connection.set_tenant(acme.tenant)
    tag = uuid.uuid4().hex[:6]
    customers = Customer.objects.bulk_create([
        Customer(customer_id=f"{tag}-{i}", name=f"Person {i} {tag}", email=f"{tag}-{i}@customers.example")
        for i in range(3)])
    made = Survey.objects.create(type="nps", name=f"Preview {tag}", audience="list", throttle_days=0,
                                 audience_customer_ids=[c.customer_id for c in customers] + [f"{tag}-typo"],
                                 base_url=f"http://{acme.host}/")
    yield made
    connection.set_tenant(acme.tenant)
    Survey.objects.filter(pk=made.pk).delete()
    Customer.objects.filter(pk__in=[c.pk for c in customers]).delete()
    connection.close()


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}],
                         ids=["desktop", "phone"])
def test_preview_then_send_and_watch_the_figures_live(live_site, chromium, acme, survey, viewport):
    context = chromium.new_context(viewport=viewport)
    page = context.new_page()
    csp_errors = []
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
    base = f"http://{acme.host}:{live_site}"
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", acme.owner_email)
    page.fill("input[name=password]", acme.password)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/surveys/{survey.pk}/")
    tag = survey.name.split()[-1]
    assert page.locator("div[data-unmatched]").is_visible()
    assert f"{tag}-typo" in page.locator("div[data-unmatched]").inner_text()
    page.get_by_role("link", name="Preview the e-mail").click()
    page.wait_for_url(f"{base}/surveys/{survey.pk}/preview/")
    assert page.locator('[data-preview="to"]').inner_text() == f"Person 0 {tag} <{tag}-0@customers.example>"
    assert page.locator('[data-preview="subject"]').inner_text() == "Acme Analytics would like your opinion"
    assert "/s/preview/?score=10" in page.locator('[data-preview="text"]').inner_text()
    frame = page.frame_locator("iframe.preview-frame")
    assert "How likely are you to recommend Acme Analytics" in frame.locator("h1").inner_text()
    assert frame.get_by_role("link", name="Score 7").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    page.get_by_role("button", name="Send now").click()
    page.wait_for_url(f"{base}/surveys/{survey.pk}/")
    figures = page.locator("#figures-card")
    assert figures.get_attribute("hx-trigger") == "every 2s"
    assert page.locator('[data-status="sending"]').is_visible()

    # The worker's part, done here step by step (the e2e server's queue has no worker).
    connection.set_tenant(acme.tenant)
    delivery.select_recipients(survey)
    page.wait_for_selector('[data-stat="queued"]:text-is("3")', timeout=6_000)
    assert "0 sent, 0 leaving now, 3 queued" in page.locator("[data-sending-line]").inner_text()
    connection.set_tenant(acme.tenant)
    delivery.deliver(survey_id=survey.pk)
    page.wait_for_selector('[data-stat="sent"]:text-is("3")', timeout=6_000)
    page.wait_for_selector('[data-status="sent"]', timeout=6_000)
    assert re.match(r"Sent on .+ UTC\.", page.locator("[data-sending-line]").inner_text())
    assert page.locator("#figures-card").get_attribute("hx-trigger") is None  # polling stopped
    connection.set_tenant(acme.tenant)
    assert SurveyRecipient.objects.filter(survey=survey, status="sent").count() == 3
    assert csp_errors == []
    context.close()
