"""An owner in Chromium, on a desktop and on a phone, leaves: exports the company's data
from /settings/leave/ (the bar moves while the job runs, then the ZIP downloads with
every kind's CSV), then deletes the company by typing its slug (a wrong slug deletes
nothing) and lands on the page that says when it will be purged. No page is wider than
the screen."""

from __future__ import annotations

import re
import zipfile

import pytest
from django.db import connection

from jobs.models import Job
from metrics.imports.kinds import KINDS
from metrics.models import Customer
from tenants.models import Tenant
from tenants.signup import tenant_domain
from tenants.tasks import export_company
from tests.e2e.conftest import E2E_PASSWORD, committed_company

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "owner@leaving.example", E2E_PASSWORD
SCREENS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def company(django_db_setup, django_db_blocker):
    with committed_company(django_db_blocker, "leave", company_name="Leaving Co", email=EMAIL) as tenant:
        with django_db_blocker.unblock():
            connection.set_tenant(tenant)
            Customer.objects.create(customer_id="E2E-1", name="Exported Customer")
            connection.set_schema_to_public()
        yield tenant


@pytest.mark.parametrize("screen", list(SCREENS))
def test_export_with_progress_then_download_then_delete_by_typing_the_slug(
        live_site, chromium, company, django_db_blocker, tmp_path, screen):
    context = chromium.new_context(viewport=SCREENS[screen], accept_downloads=True)
    page = context.new_page()
    width = SCREENS[screen]["width"]
    problems = []

    def console_error(message) -> None:
        if message.type == "error":
            problems.append(message.text)

    page.on("console", console_error)
    page.on("pageerror", lambda error: problems.append(str(error)))
    base = f"http://{tenant_domain(company.slug)}:{live_site}"

    def fits_the_screen() -> None:
        assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url

    def in_company(work):
        with django_db_blocker.unblock():
            connection.set_tenant(company)
            try:
                return work()
            finally:
                connection.set_schema_to_public()

    try:
        page.goto(f"{base}/accounts/login/")
        page.fill("input[name=username]", EMAIL)
        page.fill("input[name=password]", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{base}/")

        page.goto(f"{base}/settings/leave/")
        fits_the_screen()
        page.click("button:text-is('Export all data')")
        page.locator("#export-progress", has_text="Waiting for a worker").wait_for()
        job = in_company(lambda: Job.objects.get(kind="company_export"))

        # Half-way, as a worker reports it: the polled bar follows.
        in_company(lambda: Job.objects.filter(pk=job.pk).update(status="running", progress_done=5, progress_total=10))
        page.locator("#export-progress", has_text="5 of 10 rows written").wait_for(timeout=5_000)
        assert page.locator("#export-bar").get_attribute("value") == "50"
        fits_the_screen()

        # The worker's run (no worker reads the live server's queue): the link appears.
        in_company(lambda: Job.objects.filter(pk=job.pk).update(status="queued"))
        in_company(lambda: export_company(str(job.pk)))
        link = page.locator("[data-export-download]")
        link.wait_for(timeout=5_000)
        fits_the_screen()
        with page.expect_download() as download:
            link.click()
        path = tmp_path / "export.zip"
        download.value.save_as(path)
        with zipfile.ZipFile(path) as archive:
            assert {f"data/{kind}.csv" for kind in KINDS} <= set(archive.namelist())
            assert "E2E-1,Exported Customer" in archive.read("data/customers.csv").decode()

        assert not problems, problems
        # Delete: a wrong slug deletes nothing (a 400 page); the typed slug suspends it
        # at once (the suspended page is a 403): Chromium logs both statuses as errors.
        page.remove_listener("console", console_error)
        page.fill("#delete-confirm", "leave")
        page.click("button:text-is('Delete Leaving Co')")
        page.locator("[role=alert]", has_text="Type the company's slug").wait_for()
        fits_the_screen()
        with django_db_blocker.unblock():
            assert Tenant.objects.get(pk=company.pk).status == Tenant.Status.ACTIVE
        page.fill("#delete-confirm", company.slug)
        page.click("button:text-is('Delete Leaving Co')")
        page.get_by_text("All of its data will be removed for good on").wait_for()
        fits_the_screen()
        with django_db_blocker.unblock():
            deleted = Tenant.objects.get(pk=company.pk)
        assert deleted.status == Tenant.Status.SUSPENDED and deleted.purge_after is not None
        assert f"{deleted.purge_after:%Y-%m-%d}" in page.locator("main").inner_text()
        assert re.search(r"suspended", page.locator("h1").inner_text())
        assert not problems, problems
    finally:
        context.close()
