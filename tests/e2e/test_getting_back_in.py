"""Someone who forgot where and how to log in, in Chromium on a desktop and on a phone:
from the public home page, "Log in", then "find my workspace" by e-mail, the link in that
e-mail to the company's log-in page, "Forgot password?", the reset link, a new password,
and in. And a newcomer signing up sees the address suggested from the company's name and
the time zone of their browser."""

from __future__ import annotations

import re
import uuid

import pytest
from django.conf import settings
from django.db import connection

from tenants.models import Tenant
from tenants.services import drop_tenant
from tests.e2e.conftest import E2E_PASSWORD, committed_company, served
from tests.support.smtp import text_of
from tests.support.waiting import wait_until

pytestmark = pytest.mark.browser

NEW_PASSWORD = "a-fresh-pass-9317!"
SCREENS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def mailing_site(django_db_setup, django_db_blocker, worker, worker_mailbox):
    """The product served as in live_site, but its mail (the reset e-mail, sent by the
    page) goes to the worker's mailbox, and its tasks (the find-my-workspace e-mail) to
    the session's worker: both e-mails of this flow are read from one sink."""
    with served(django_db_blocker, KPIHUB_TEST_QUEUE=settings.CELERY_TASK_DEFAULT_QUEUE,
                KPIHUB_TEST_EMAIL_URL=f"smtp://127.0.0.1:{worker_mailbox.port}") as port:
        yield port


def mail_to(mailbox, email: str, subject: str):
    return wait_until(lambda: next((m for m in mailbox.messages if m["X-Envelope-To"] == email
                                    and m["Subject"] == subject), None), what=f"the e-mail “{subject}”")


@pytest.mark.parametrize("screen", SCREENS)
def test_find_my_workspace_then_reset_the_password_and_log_in(screen, mailing_site, worker_mailbox, chromium,
                                                             django_db_blocker):
    email = f"forgetful-{uuid.uuid4().hex[:6]}@back-in.example"
    with committed_company(django_db_blocker, "e2e-back", company_name="Back In Ltd", email=email) as tenant:
        home = f"http://localhost:{mailing_site}"
        workspace = f"http://{tenant.slug}.localhost:{mailing_site}"
        page = chromium.new_page(viewport=SCREENS[screen])
        problems = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        try:
            page.goto(f"{home}/")
            page.click("header a:has-text('Log in')")
            page.wait_for_url(f"{home}/login/")
            page.click("main a:has-text('Find my workspace')")
            page.wait_for_url(f"{home}/find-workspace/")
            page.fill("input[name=email]", email)
            page.click("main button[type=submit]")
            page.wait_for_url(f"{home}/find-workspace/sent/")
            assert page.locator("h1").inner_text() == "Check your e-mail"

            found = mail_to(worker_mailbox, email, "Your KPI Hub workspaces")
            assert "Back In Ltd" in text_of(found)
            login_link = re.search(r"http://\S+/accounts/login/", text_of(found)).group(0)
            assert login_link == f"{workspace}/accounts/login/"
            page.goto(login_link)
            assert page.locator("h1").inner_text() == "Log in to Back In Ltd"

            page.click("main a:has-text('Forgot password?')")
            page.wait_for_url(f"{workspace}/accounts/password-reset/")
            page.fill("input[name=email]", email)
            page.click("main button[type=submit]")
            page.wait_for_url(f"{workspace}/accounts/password-reset/sent/")

            reset = mail_to(worker_mailbox, email, "Reset your KPI Hub password")
            page.goto(re.search(rf"{re.escape(workspace)}/accounts/reset/\S+/", text_of(reset)).group(0))
            page.fill("input[name=new_password1]", NEW_PASSWORD)
            page.fill("input[name=new_password2]", NEW_PASSWORD)
            page.click("main button[type=submit]")
            page.wait_for_url(f"{workspace}/accounts/reset/done/")
            page.click("main a:has-text('Log in')")

            page.fill("input[name=username]", email)
            page.fill("input[name=password]", E2E_PASSWORD)  # the old one no longer works
            page.click("main button[type=submit]")
            assert "do not match an account" in page.locator("main [role=alert]").first.inner_text()
            page.fill("input[name=password]", NEW_PASSWORD)
            page.click("main button[type=submit]")
            page.wait_for_url(f"{workspace}/")
            assert page.locator("header .site-header__email").inner_text() == email  # logged in
            # Nothing wider than the screen on the way (390 px on a phone).
            assert page.evaluate("document.documentElement.scrollWidth") <= SCREENS[screen]["width"]
            assert not problems, problems
        finally:
            page.close()


@pytest.mark.parametrize("screen", SCREENS)
def test_log_in_by_typing_the_workspace_on_the_public_site(screen, mailing_site, chromium, acme):
    page = chromium.new_page(viewport=SCREENS[screen])
    try:
        page.goto(f"http://localhost:{mailing_site}/login/")
        page.fill("input[name=workspace]", "no-such-company")
        page.click("main button[type=submit]")
        assert "No workspace has this address" in page.locator("main").inner_text()
        page.fill("input[name=workspace]", "acme")
        page.click("main button[type=submit]")
        page.wait_for_url(f"http://acme.localhost:{mailing_site}/accounts/login/")
        assert page.evaluate("document.documentElement.scrollWidth") <= SCREENS[screen]["width"]
    finally:
        page.close()


@pytest.mark.parametrize("screen", SCREENS)
def test_sign_up_suggests_the_address_and_the_browsers_time_zone(screen, mailing_site, chromium,
                                                                 django_db_blocker):
    tag = uuid.uuid4().hex[:6]
    context = chromium.new_context(viewport=SCREENS[screen], timezone_id="Europe/Lisbon")
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        page.goto(f"http://localhost:{mailing_site}/signup/")
        assert page.input_value("select[name=timezone]") == "Europe/Lisbon"
        page.locator("input[name=company_name]").press_sequentially("Café Zürich & Co")
        assert page.input_value("input[name=slug]") == "cafe-zurich-co"
        # A slug the person types is theirs: the name no longer changes it.
        page.fill("input[name=slug]", f"zurich-{tag}")
        page.locator("input[name=company_name]").press_sequentially(" GmbH")
        assert page.input_value("input[name=slug]") == f"zurich-{tag}"
        # Cleared, it follows the name again.
        page.fill("input[name=slug]", "")
        page.fill("input[name=company_name]", f"Lisbon Labs {tag}")
        page.locator("input[name=company_name]").press_sequentially("!")
        assert page.input_value("input[name=slug]") == f"lisbon-labs-{tag}"

        page.fill("input[name=email]", f"founder-{tag}@lisbon.example")
        page.fill("input[name=password]", E2E_PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(f"http://lisbon-labs-{tag}.localhost:{mailing_site}/")
        with django_db_blocker.unblock():
            connection.set_schema_to_public()
            assert Tenant.objects.get(slug=f"lisbon-labs-{tag}").timezone == "Europe/Lisbon"
        assert not problems, problems
    finally:
        context.close()
        with django_db_blocker.unblock():
            connection.set_schema_to_public()
            for tenant in Tenant.objects.filter(slug=f"lisbon-labs-{tag}"):
                drop_tenant(tenant)
            connection.close()
