"""A company owner in Chromium turns on two-factor authentication (scans the QR code,
confirms a code, sees the recovery codes once), logs out, and logs in again with the
password and then a code from the app: each code computed here from the device's key,
as the phone's app would."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context

from tenants.signup import tenant_domain
from tests.accounts.two_factor_support import next_code
from tests.e2e.conftest import E2E_PASSWORD, committed_company

pytestmark = pytest.mark.browser

EMAIL = "owner@two-factor.example"


def app_code(django_db_blocker, tenant) -> str:
    """The code the authenticator app shows now for the owner's device (committed by the
    live server, read here from the company's schema)."""
    with django_db_blocker.unblock(), schema_context(tenant.schema_name):
        return next_code(TOTPDevice.objects.get(user__username=EMAIL))


def test_turn_on_two_factor_and_log_in_with_a_code(live_site, chromium, django_db_blocker):
    with committed_company(django_db_blocker, "e2e-2fa", company_name="Two Factor Ltd", email=EMAIL) as tenant:
        base = f"http://{tenant_domain(tenant.slug)}:{live_site}"
        context = chromium.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        problems = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        try:
            page.goto(f"{base}/accounts/login/")
            page.fill("input[name=username]", EMAIL)
            page.fill("input[name=password]", E2E_PASSWORD)
            page.click("main button[type=submit]")
            page.wait_for_url(f"{base}/")

            page.goto(f"{base}/accounts/security/")
            page.click("text=Turn on two-factor authentication")
            page.wait_for_url(f"{base}/accounts/security/two-factor/")
            qr = page.locator("[data-testid=totp-qr]")
            assert qr.evaluate("(img) => img.complete && img.naturalWidth > 0")  # the QR code is drawn
            assert len(page.locator("[data-testid=totp-secret]").inner_text().replace(" ", "")) == 32
            page.fill("input[name=code]", app_code(django_db_blocker, tenant))
            page.click("main button:has-text('Turn on')")
            page.wait_for_selector("text=Two-factor authentication is on")
            codes = page.locator("[data-testid=recovery-codes] li")
            assert codes.count() == 10
            page.click("text=I have saved them")
            page.wait_for_url(f"{base}/accounts/security/")
            assert page.locator("#two-factor-title .chip").inner_text() == "On"

            page.click("header button:has-text('Log out')")
            page.wait_for_url(f"{base}/accounts/login/")
            page.fill("input[name=username]", EMAIL)
            page.fill("input[name=password]", E2E_PASSWORD)
            page.click("main button[type=submit]")
            page.wait_for_url(f"{base}/accounts/login/code/")
            page.goto(f"{base}/")  # the password alone does not let anyone in
            page.wait_for_url(f"{base}/accounts/login/?next=/")

            page.goto(f"{base}/accounts/login/code/")
            page.fill("input[name=code]", app_code(django_db_blocker, tenant))
            page.click("main button[type=submit]")
            page.wait_for_url(f"{base}/")
            assert page.locator(".site-header__email", has_text=EMAIL).count() == 1  # logged in
            assert not problems, problems
        finally:
            context.close()
