"""The test harness: one test database, two tenants made once per session (through
the real sign-up), clients that talk to a tenant's host, and a real Celery worker
for the tests that need one.

Tests run inside a transaction rolled back at the end (pytest-django's ``db``), so
the session tenants stay clean. Tests that need committed data (a worker reads it
from another process) use ``committed_db`` and remove what they made."""

from __future__ import annotations

import pytest
from django.db import connection
from rest_framework.test import APIClient

from tests.support.tenants import TenantHandle, make_session_tenant

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker):
    """The test database, then the platform's public and template tenants. Set up
    here rather than by pytest-django's own fixture, which makes the database only
    when a collected test asks for ``db``: a worker test run on its own asks for
    ``committed_db`` and would have reached the development database's name."""
    from django.test.utils import setup_databases, teardown_databases

    from tenants.platform import ensure_public_tenant, ensure_template_tenant

    with django_db_blocker.unblock():
        databases = setup_databases(verbosity=0, interactive=False, aliases={"default"})
        ensure_public_tenant()
        ensure_template_tenant()
    yield
    with django_db_blocker.unblock():
        teardown_databases(databases, verbosity=0)


@pytest.fixture(scope="session")
def acme(django_db_setup, django_db_blocker) -> TenantHandle:
    with django_db_blocker.unblock():
        return make_session_tenant("acme", "Acme Analytics", PASSWORD)


@pytest.fixture(scope="session")
def globex(django_db_setup, django_db_blocker) -> TenantHandle:
    with django_db_blocker.unblock():
        return make_session_tenant("globex", "Globex Corp", PASSWORD)


@pytest.fixture(autouse=True)
def _back_to_public():
    """Requests leave the connection on the tenant they served; start and end each
    test on public so no test inherits another's schema."""
    connection.set_schema_to_public()
    yield
    connection.set_schema_to_public()


@pytest.fixture
def in_acme(db, acme):
    """Run the test body inside acme's schema."""
    connection.set_tenant(acme.tenant)
    yield acme
    connection.set_schema_to_public()


def host_client(host: str, token: str | None = None) -> APIClient:
    client = APIClient(HTTP_HOST=host)
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def public_client(db) -> APIClient:
    return host_client("localhost")


@pytest.fixture
def acme_client(db, acme) -> APIClient:
    """Anonymous client on acme's host."""
    return host_client(acme.host)


@pytest.fixture
def acme_owner(db, acme) -> APIClient:
    """acme's owner, authenticated by API token."""
    return host_client(acme.host, acme.owner_token)


@pytest.fixture
def globex_owner(db, globex) -> APIClient:
    return host_client(globex.host, globex.owner_token)


@pytest.fixture(scope="session")
def worker_mailbox():
    """The SMTP sink the session's worker sends its mail to (tests pick theirs by address)."""
    from tests.support.smtp import SmtpSink

    with SmtpSink() as sink:
        yield sink


@pytest.fixture(scope="session")
def worker(django_db_setup, worker_mailbox):
    """A real Celery worker process for the whole session (started on first use)."""
    from tests.support.worker import celery_worker

    mail = {"KPIHUB_TEST_EMAIL_URL": f"smtp://127.0.0.1:{worker_mailbox.port}"}
    with celery_worker(extra_env=mail) as process:
        yield process


@pytest.fixture
def committed_db(django_db_setup, django_db_blocker):
    """Database access without the rolled-back transaction: what the test writes is
    committed and visible to other processes. The test removes what it made. On the
    test database always: without ``django_db_setup`` a test run on its own (``-k``)
    would have written into the development database."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def smtp_sink(settings):
    """Mail goes over a real SMTP connection to a local server the test reads."""
    from tests.support.smtp import SmtpSink

    with SmtpSink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        yield sink
