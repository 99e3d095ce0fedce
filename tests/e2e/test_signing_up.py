"""A newcomer in Chromium: signs up on the public site and lands, logged in, on the
new company's own host, where the empty dashboard says what to do first."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection

from tenants.models import Tenant
from tenants.services import drop_tenant

pytestmark = pytest.mark.browser


def test_sign_up_on_the_public_site_and_land_on_the_new_company(live_site, chromium, django_db_blocker):
    slug = f"new-{uuid.uuid4().hex[:8]}"
    page = chromium.new_page(viewport={"width": 390, "height": 844})  # on a phone
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    try:
        page.goto(f"http://localhost:{live_site}/signup/")
        page.fill("input[name=company_name]", "Newcomer Ltd")
        page.fill("input[name=slug]", slug)
        page.fill("input[name=email]", "founder@newcomer.example")
        page.fill("input[name=password]", "a-long-pass-2026!")
        page.click("main button[type=submit]")
        page.wait_for_url(f"http://{slug}.localhost:{live_site}/")
        assert page.locator("h1").first.inner_text() == "Welcome, Newcomer Ltd"
        checklist = page.locator("ol.checklist li")
        assert checklist.count() >= 3 and "Import" in checklist.first.inner_text()
        assert page.locator(".site-header__email", has_text="founder@newcomer.example").count() == 1  # logged in
        assert not problems, problems  # e.g. a redirect blocked by the CSP's form-action
    finally:
        page.close()
        with django_db_blocker.unblock():
            connection.set_schema_to_public()
            for tenant in Tenant.objects.filter(slug=slug):
                drop_tenant(tenant)
            connection.close()
