"""Getting back in (issue 17): the public site's "Log in" (which workspace), "find my
workspace" by e-mail, password reset on the company's host, and log-in errors that
speak of the e-mail."""

from __future__ import annotations

import re
import uuid

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, connection
from django.test import Client
from django_tenants.utils import schema_context
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import Member
from accounts.selectors import workspaces_of
from accounts.services import add_member
from tenants.models import Tenant
from tests.conftest import host_client
from tests.support.smtp import html_of, text_of
from tests.support.tenants import company_of_its_own
from tests.support.waiting import wait_until

NEW_PASSWORD = "a-brand-new-pass-4821"


def address(prefix: str = "pat") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}@people.example"


def fresh_address() -> str:
    return "10.%d.%d.%d" % tuple(uuid.uuid4().bytes[:3])


def mails_to(mailbox, email: str) -> list:
    return [message for message in mailbox.messages if message["X-Envelope-To"] == email]


# --- Find my workspace ---------------------------------------------------------------

def test_find_my_workspace_mails_the_login_page_of_every_workspace_the_address_belongs_to(
        worker, worker_mailbox, committed_db):
    email = address()
    with company_of_its_own("fw-a", company_name="Alpha Bikes") as alpha, \
            company_of_its_own("fw-b", company_name="Beta Books") as beta, \
            company_of_its_own("fw-c", company_name="Gamma Goods") as gamma:
        for company in (alpha, beta):
            with schema_context(company.tenant.schema_name):
                add_member(email=email, password="pat-password-123", role=Member.Role.MEMBER)
        with schema_context(gamma.tenant.schema_name):  # someone else there
            add_member(email=address("other"), password="pat-password-123", role=Member.Role.MEMBER)
        connection.set_schema_to_public()

        answer = host_client("localhost").post("/api/v1/find-workspace/", {"email": email.upper()}, format="json")

        assert answer.status_code == 202
        message = wait_until(lambda: next(iter(mails_to(worker_mailbox, email)), None),
                             what="the find-my-workspace e-mail")
        text = text_of(message)
        links = set(re.findall(r"http://[\w.-]+/accounts/login/", text))
        assert links == {f"http://{alpha.tenant.slug}.localhost/accounts/login/",
                         f"http://{beta.tenant.slug}.localhost/accounts/login/"}
        assert "Alpha Bikes" in text and "Beta Books" in text and "Gamma Goods" not in text
        assert f"{alpha.tenant.slug}.localhost/accounts/login/" in html_of(message)
        assert len(mails_to(worker_mailbox, email)) == 1  # one e-mail listing both


def test_an_unknown_address_gets_the_same_answer_and_no_mail(worker, worker_mailbox, committed_db):
    unknown, member = address("nobody"), address()
    with company_of_its_own("fw-u") as company:
        with schema_context(company.tenant.schema_name):
            add_member(email=member, password="pat-password-123", role=Member.Role.MEMBER)
        connection.set_schema_to_public()
        client = host_client("localhost")

        for_unknown = client.post("/api/v1/find-workspace/", {"email": unknown}, format="json")
        for_member = client.post("/api/v1/find-workspace/", {"email": member}, format="json")

        assert (for_unknown.status_code, for_unknown.json()) == (for_member.status_code, for_member.json())
        assert for_unknown.status_code == 202
        # The worker takes tasks in order: once the member's mail is out, the unknown
        # address's task has run too, and sent nothing.
        wait_until(lambda: mails_to(worker_mailbox, member), what="the member's e-mail")
        assert mails_to(worker_mailbox, unknown) == []


def test_the_page_answers_the_same_for_an_unknown_address_and_a_member(acme, db):
    client = Client(HTTP_HOST="localhost")
    assert "Find my workspace" in client.get("/login/").content.decode()
    for email in (acme.owner_email, address("nobody")):
        sent = client.post("/find-workspace/", {"email": email})
        assert sent.status_code == 302 and sent["Location"] == "/find-workspace/sent/"
    assert "Check your e-mail" in client.get("/find-workspace/sent/").content.decode()
    assert client.post("/find-workspace/", {"email": "not-an-address"}).status_code == 400
    assert host_client("localhost").post("/api/v1/find-workspace/", {"email": "nope"},
                                         format="json").status_code == 400


def test_the_look_up_leaves_out_suspended_companies_and_people_of_other_companies(acme, globex, db):
    email = address()
    with schema_context(globex.schema):
        add_member(email=email, password="pat-password-123", role=Member.Role.MEMBER)
    assert [w.slug for w in workspaces_of(email=email)] == ["globex"]
    assert [w.slug for w in workspaces_of(email=acme.owner_email.upper())] == ["acme"]
    Tenant.objects.filter(pk=globex.tenant.pk).update(status=Tenant.Status.SUSPENDED)
    assert workspaces_of(email=email) == []


@pytest.fixture
def tight_find_workspace_rate(monkeypatch):
    # DRF reads the rates into its base class when it is imported; every throttle inherits them.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"find_workspace": "2/hour"})


def test_find_my_workspace_is_limited_per_client_address(db, tight_find_workspace_rate):
    mine, other = fresh_address(), fresh_address()  # counters live in Redis and outlive a test
    api = host_client("localhost")
    answers = [api.post("/api/v1/find-workspace/", {"email": address()}, format="json",
                        REMOTE_ADDR=mine).status_code for _ in range(2)]
    # The page and the API share the address's allowance.
    page = Client(HTTP_HOST="localhost").post("/find-workspace/", {"email": address()}, REMOTE_ADDR=mine)
    assert answers == [202, 202]
    assert page.status_code == 429 and "try again" in page.content.decode()
    assert api.post("/api/v1/find-workspace/", {"email": address()}, format="json",
                    REMOTE_ADDR=mine).status_code == 429
    # Another address is not held back.
    assert api.post("/api/v1/find-workspace/", {"email": address()}, format="json",
                    REMOTE_ADDR=other).status_code == 202


# --- The public "Log in" ------------------------------------------------------------

def test_the_public_log_in_leads_to_the_workspace_log_in_page(acme, db):
    client = Client(HTTP_HOST="localhost")
    home = client.get("/").content.decode()
    assert 'href="/login/"' in home
    for typed in ("acme", " ACME ", "acme.localhost", "http://acme.localhost:8000/dashboard/"):
        answer = client.get("/login/", {"workspace": typed})
        assert answer.status_code == 302, typed
        assert answer["Location"] == "http://acme.localhost/accounts/login/"
    unknown = client.get("/login/", {"workspace": "no-such-company"})
    assert unknown.status_code == 400
    assert "No workspace has this address" in unknown.content.decode()


# --- Password reset ----------------------------------------------------------------

def reset_link(message) -> str:
    return re.search(r"http://acme\.localhost(/accounts/reset/\S+/)", text_of(message)).group(1)


def test_a_forgotten_password_is_reset_by_email_and_the_new_one_logs_in(acme, db, smtp_sink):
    client = Client(HTTP_HOST=acme.host)
    login_page = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/password-reset/"' in login_page and "Forgot password?" in login_page

    assert client.post("/accounts/password-reset/", {"email": acme.owner_email}).status_code == 302
    [message] = smtp_sink.messages
    assert message["To"] == acme.owner_email
    link = reset_link(message)
    assert link in html_of(message)  # the HTML part's button, and the plain-text part
    form = client.get(link, follow=True)
    assert b"Choose a new password" in form.content
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302

    assert Client(HTTP_HOST=acme.host).post("/accounts/login/", {
        "username": acme.owner_email, "password": NEW_PASSWORD}).status_code == 302
    assert Client(HTTP_HOST=acme.host).post("/accounts/login/", {
        "username": acme.owner_email, "password": acme.password}).status_code == 200
    assert client.get(link, follow=True).context["validlink"] is False  # used once


def test_a_reset_link_of_one_company_does_not_work_on_another(acme, globex, db, smtp_sink):
    Client(HTTP_HOST=acme.host).post("/accounts/password-reset/", {"email": acme.owner_email})
    link = reset_link(smtp_sink.messages[0])
    User = get_user_model()
    with schema_context(acme.schema):
        person = User.objects.get(username=acme.owner_email)
    # The hardest case: globex has a person with the same id, e-mail, password hash and
    # last log-in, so only the company tells the link's owner apart.
    with schema_context(globex.schema):
        User.objects.filter(email=acme.owner_email).exclude(pk=person.pk).delete()
        User.objects.update_or_create(pk=person.pk, defaults={
            "username": person.username, "email": person.email, "password": person.password,
            "last_login": person.last_login, "is_active": True})

    on_globex = Client(HTTP_HOST=globex.host).get(link, follow=True)
    assert on_globex.context["validlink"] is False
    assert b"This link no longer works" in on_globex.content
    on_acme = Client(HTTP_HOST=acme.host).get(link, follow=True)
    assert on_acme.context["validlink"] is True


def test_a_reset_for_an_unknown_address_answers_the_same_and_sends_nothing(acme, db, smtp_sink):
    answer = Client(HTTP_HOST=acme.host).post("/accounts/password-reset/", {"email": address("nobody")})
    assert answer.status_code == 302 and answer["Location"] == "/accounts/password-reset/sent/"
    assert smtp_sink.messages == []


# --- Log-in messages ---------------------------------------------------------------

def test_a_wrong_password_is_told_in_terms_of_the_email(acme, db):
    answer = Client(HTTP_HOST=acme.host).post("/accounts/login/", {"username": acme.owner_email,
                                                                   "password": "not-the-password"})
    assert answer.status_code == 200
    errors = " ".join(answer.context["form"].non_field_errors())
    assert "e-mail and password" in errors and "username" not in errors.lower()
    assert errors in answer.content.decode()


# --- The public API's schema, fuzzed -------------------------------------------------

def public_schema() -> dict:
    """The find-workspace operation as the public host's URLs describe it (the schema a
    tenant host serves has the tenant API only; sign-up is left out here: each case
    would create a company)."""
    schema = SchemaGenerator(urlconf="kpihub.urls.public").get_schema(request=None, public=True)
    schema["paths"] = {path: item for path, item in schema["paths"].items() if path == "/api/v1/find-workspace/"}
    return schema


def test_the_schema_describes_find_my_workspace(db):
    operation = public_schema()["paths"]["/api/v1/find-workspace/"]["post"]
    assert set(operation["responses"]) >= {"202", "400", "429"}
    assert operation["requestBody"]["required"] is True


@pytest.fixture
def find_workspace_schema(db):
    schema = schemathesis.openapi.from_dict(public_schema())
    schema.app = get_wsgi_application()
    request_started.disconnect(close_old_connections)  # every case inside the test's transaction
    request_finished.disconnect(close_old_connections)
    yield schema
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


fuzzed = schemathesis.pytest.from_fixture("find_workspace_schema")


@fuzzed.parametrize()
@settings(max_examples=12, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
def test_find_my_workspace_answers_every_generated_request_as_its_schema_says(case):
    case.call_and_validate(base_url="http://localhost", checks=[
        not_a_server_error, status_code_conformance, content_type_conformance,
        response_schema_conformance, negative_data_rejection])
