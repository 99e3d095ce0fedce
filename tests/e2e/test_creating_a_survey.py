"""An owner creates a survey in Chromium: the audience count follows the filter as it
is chosen (htmx, under the strict Content-Security-Policy)."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection

from metrics.models import Customer
from surveys.models import Survey

pytestmark = pytest.mark.browser


@pytest.fixture
def segment(acme, committed_db):
    """Three committed customers in a segment of their own; removed afterwards."""
    connection.set_tenant(acme.tenant)
    name = f"seg-{uuid.uuid4().hex[:6]}"
    rows = Customer.objects.bulk_create([
        Customer(customer_id=f"{name}-{i}", email=f"{name}-{i}@customers.example", segment=name)
        for i in range(3)])
    yield name
    connection.set_tenant(acme.tenant)
    Survey.objects.filter(name=f"Live count {name}").delete()
    Customer.objects.filter(pk__in=[r.pk for r in rows]).delete()
    connection.close()


def test_the_audience_count_follows_the_filter(live_site, chromium, acme, segment):
    context = chromium.new_context()
    page = context.new_page()
    csp_errors = []
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
    base = f"http://{acme.host}:{live_site}"
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", acme.owner_email)
    page.fill("input[name=password]", acme.password)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/surveys/new/")
    page.wait_for_selector("[data-audience-panel=filter]", state="hidden")  # only for a filter

    page.check("input[name=audience][value=filter]")
    assert page.is_visible("[data-audience-panel=filter]")
    page.select_option("select[name=segment]", segment)
    page.fill("input[name=throttle_days]", "0")
    page.wait_for_selector('[data-count="recipients"]:text-is("3")', timeout=5_000)

    page.fill("input[name=name]", f"Live count {segment}")
    page.click("form.survey-create button[type=submit]")
    page.wait_for_selector("text=Send now")
    connection.set_tenant(acme.tenant)
    assert Survey.objects.get(name=f"Live count {segment}").audience_filter == {"segment": [segment]}
    assert csp_errors == []
    context.close()
