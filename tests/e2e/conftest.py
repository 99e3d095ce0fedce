"""A live server for the browser tests: ``manage.py runserver`` in a subprocess
against the test database (pytest-django's live_server would flush the database,
public tenants included), and the system Chromium driven by Playwright."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import connection

from tenants.models import Tenant
from tenants.services import drop_tenant
from tenants.signup import sign_up, tenant_domain
from tests.support.smtp import free_port
from tests.support.worker import database_url_for

CHROMIUM = "/usr/bin/chromium"
E2E_PASSWORD = "a-long-pass-2026!"
SERVER_NAME = "kpihub-e2e-server"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--host-resolver-rules=MAP * 127.0.0.1"]


@pytest.fixture(scope="session")
def live_site(django_db_setup, django_db_blocker, acme):
    """The whole product on 127.0.0.1:<port>; tenant hosts resolve there too."""
    # A queue no worker reads: what the browser does here (an answer queues a KPI
    # recompute) must not run later against the session tenants' committed rows.
    queue = settings.CELERY_TASK_DEFAULT_QUEUE + "-e2e-unconsumed"
    try:
        with served(django_db_blocker, KPIHUB_TEST_QUEUE=queue) as port:
            yield port
    finally:
        import redis

        redis.Redis.from_url(settings.REDIS_URL).delete(queue)


@contextmanager
def served(django_db_blocker, **extra_env: str) -> Iterator[int]:
    """``manage.py runserver`` on the test database at a free port, with ``extra_env``;
    stopped, and its database sessions gone, on the way out."""
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kpihub.settings.test",
           "DATABASE_URL": database_url_for(settings.DATABASES["default"], connection.settings_dict["NAME"])
           + f"?application_name={SERVER_NAME}",
           "REDIS_URL": settings.REDIS_URL, **extra_env}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    # --insecure: serve static files (surveys.js) as the dev server does, with DEBUG off.
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure"],
        env=env, cwd=settings.BASE_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_until_serving(process, port)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        with django_db_blocker.unblock():
            _wait_until_disconnected()
            connection.close()  # opened here, possibly in Playwright's context


def _wait_until_disconnected(timeout: float = 10) -> None:
    """The server's database sessions end a moment after it does; the test database
    can only be dropped once they have."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                           [SERVER_NAME])
            if cursor.fetchone()[0] == 0:
                return
        time.sleep(0.1)


def _wait_until_serving(process: subprocess.Popen, port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the test web server exited at start")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the test web server did not answer")


@pytest.fixture
def chromium(django_db_blocker):
    """Chromium for one test. Playwright's sync API keeps an event loop on this thread
    while it runs; the test's ORM calls are still plain synchronous code, so Django's
    async guard is lifted for this test only (never for other code or subprocesses)."""
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Under that loop Django keeps connections per context: close them on the way in
    # and out, or one lingers and the test database cannot be dropped at the end.
    with django_db_blocker.unblock():
        connections.close_all()
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        with django_db_blocker.unblock():
            connections.close_all()
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@contextmanager
def committed_company(django_db_blocker, prefix: str, *, company_name: str, email: str,
                      password: str = E2E_PASSWORD, timezone: str = "UTC") -> Iterator[Tenant]:
    """A company signed up and committed, so the live server (another process) sees it;
    dropped afterwards."""
    with django_db_blocker.unblock():
        tenant = sign_up(company_name=company_name, slug=f"{prefix}-{uuid.uuid4().hex[:8]}", email=email,
                         password=password, currency="USD", timezone=timezone).tenant
        connection.set_schema_to_public()
    try:
        yield tenant
    finally:
        with django_db_blocker.unblock():
            connection.set_schema_to_public()
            drop_tenant(tenant)
            connection.close()


@contextmanager
def inside(django_db_blocker, tenant: Tenant) -> Iterator[None]:
    """The database unblocked and the connection on ``tenant``, back on public after: a
    module fixture filling its committed company."""
    with django_db_blocker.unblock():
        connection.set_tenant(tenant)
        try:
            yield
        finally:
            connection.set_schema_to_public()


PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def logged_in_page(chromium, *, port: int, slug: str, email: str, viewport: dict,
                   password: str = E2E_PASSWORD, **context_options):
    """A page of a new browser context at ``viewport``, logged in on the company's host;
    with its base URL and the console errors and page errors it collects."""
    page = chromium.new_context(viewport=viewport, **context_options).new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    base = f"http://{tenant_domain(slug)}:{port}"
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")
    return page, base, problems
