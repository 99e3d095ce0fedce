"""Text PostgreSQL cannot store (NUL, lone surrogates) is bad input everywhere: a 400
naming the parameter, a 404 in a path, never a 500; on the API and the pages, signed in
or not (issue 16, finding 3: kpihub/bad_input.py)."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.db import DataError, connection
from django.test import Client, RequestFactory

from kpihub.bad_input import UnstorableTextMiddleware
from metrics.models import Customer
from surveys.models import Survey
from tests.conftest import host_client

API_QUERIES = [
    ("/api/v1/goals/?owner=%00", "owner"),
    ("/api/v1/goals/?kpi=mrr%00", "kpi"),
    ("/api/v1/goals/?status=%00", "status"),
    ("/api/v1/goals/?as_of=2026-01-01%00", "as_of"),
    ("/api/v1/surveys/1/responses/?q=%00", "q"),
    ("/api/v1/surveys/1/responses/?segment=smb%00", "segment"),
    ("/api/v1/surveys/1/responses/?country=%00DE", "country"),
    ("/api/v1/surveys/1/responses/?channel=%00", "channel"),
    ("/api/v1/data/customers/?search=%00", "search"),
    ("/api/v1/data/customers/?customer_id=%00", "customer_id"),
    ("/api/v1/data/invoices/?invoice_id=INV%00", "invoice_id"),
    ("/api/v1/data/traffic/?channel=%00", "channel"),
    ("/api/v1/data/customers/?from=%00", "from"),
    ("/api/v1/kpis/?period=%00", "period"),
    ("/api/v1/kpis/mrr/series/?from=2024-01&to=%00", "to"),
    ("/api/v1/kpis/mrr/breakdown/?by=%00", "by"),
    ("/api/v1/kpis/churn_rate/records/?movement=%00", "movement"),
    ("/api/v1/imports/?page=%00", "page"),
    ("/api/v1/me/?anything=%00", "anything"),
]


@pytest.mark.parametrize(("url", "parameter"), API_QUERIES)
def test_a_nul_in_an_api_query_parameter_is_a_400_naming_it(acme_owner, url, parameter):
    response = acme_owner.get(url)
    assert response.status_code == 400, (url, response.content[:300])
    assert parameter in response.json()


def test_a_nul_in_a_parameters_name_is_a_400_too(acme_owner):
    response = acme_owner.get("/api/v1/goals/?own%00er=x")
    assert response.status_code == 400
    assert list(response.json()) == ["query"]


@pytest.mark.parametrize("method", ["get", "delete", "patch", "post"])
@pytest.mark.parametrize("path", [
    "/api/v1/data/customers/c1%00/",
    "/api/v1/data/customers%00/",
    "/api/v1/kpis/mrr%00/",
    "/api/v1/goals/1%00/",
])
def test_a_nul_in_an_api_path_names_nothing(acme_owner, method, path):
    response = getattr(acme_owner, method)(path)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


PAGES = [
    "/goals/?owner=%00", "/goals/?kpi=%00", "/data/customers/?q=%00", "/data/invoices/?q=%00",
    "/data/customers/export.csv?q=%00", "/data/customers/?customer_id=%00", "/surveys/?q=%00",
    "/surveys/1/?q=%00&segment=%00", "/surveys/1/responses.csv?country=%00", "/kpis/mrr/?period=%00",
    "/kpis/mrr/records/?movement=%00", "/?period=%00", "/imports/?kind=%00", "/team/?x=%00",
]


@pytest.fixture
def owner_browser(acme, db):
    connection.set_tenant(acme.tenant)
    client = Client(HTTP_HOST=acme.host)
    client.force_login(get_user_model().objects.get(username=acme.owner_email))
    connection.set_schema_to_public()
    return client


@pytest.mark.parametrize("url", PAGES)
def test_a_nul_in_a_pages_query_is_a_400_page(owner_browser, url):
    response = owner_browser.get(url)
    assert response.status_code == 400, url
    assert b"Error 400" in response.content


def test_a_nul_in_a_pages_path_is_a_404_page(owner_browser):
    response = owner_browser.get("/data/customers%00/")
    assert response.status_code == 404
    assert b"Error 404" in response.content


@pytest.mark.parametrize("url", [
    "/s/abcdefghijklmnop%00/", "/s/%00/", "/s/abcdefghijklmnop%00/thanks/", "/s/abc%00/unsubscribe/",
    "/accounts/invitation/%00/", "/accounts/invitation/abc%00def/", "/accounts/welcome/%00/",
    "/accounts/reset/%00/x%00/",
])
def test_a_token_with_a_nul_is_a_404_without_login(acme, db, url):
    response = Client(HTTP_HOST=acme.host).get(url)
    assert response.status_code == 404, url


@pytest.mark.parametrize(("host", "url"), [
    ("acme", "/s/abcdefghijklmnop/?score=%00"),
    ("acme", "/accounts/login/?next=%00"),
    ("acme", "/api/v1/goals/?owner=%00"),
    ("public", "/?x=%00"),
    ("public", "/signup/?slug=%00"),
])
def test_a_nul_in_a_query_is_a_400_without_login(acme, db, host, url):
    response = Client(HTTP_HOST=acme.host if host == "acme" else "localhost").get(url)
    assert response.status_code == 400, url


def test_a_nul_in_a_login_form_is_a_400(acme, db):
    client = Client(HTTP_HOST=acme.host)
    response = client.post("/accounts/login/", "username=owner%40acme.example%00&password=x",
                            content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    # Multipart bodies are left to the form, whose text fields refuse the NUL themselves.
    response = client.post("/accounts/login/", {"username": "owner@acme.example\x00", "password": "x"})
    assert response.status_code == 200
    assert b"Null characters are not allowed" in response.content


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/api/v1/auth/token/", {"email": "owner@acme.example", "password": "a\u0000b"}, "password"),
    ("/api/v1/goals/", {"kpi": "mrr", "target_value": "10", "deadline": "2030-01-31", "title": "\u0000"},
     "title"),
    ("/api/v1/surveys/", {"type": "nps", "name": "x", "audience": {"filter": {"segment": ["smb\u0000"]}}},
     "audience.filter.segment.0"),
    ("/api/v1/surveys/", {"type": "nps", "name": "lone \ud800 surrogate"}, "name"),
    ("/api/v1/invitations/", {"email": "new@acme.example", "role": "member\u0000"}, "role"),
    ("/api/v1/data/customers/", [{"customer_id": "c1", "name": "A\u0000"}], "0.name"),
    ("/api/v1/data/customers/", [{"customer_id": "c1", "na\u0000me": "A"}], "0.na\u0000me"),
])
def test_a_json_body_with_unstorable_text_is_a_400(acme_owner, path, body, field):
    response = acme_owner.post(path, json.dumps(body), content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert field in response.json()


def test_a_goal_patch_with_a_nul_is_a_400(acme_owner):
    response = acme_owner.patch("/api/v1/goals/1/", json.dumps({"why": "\u0000"}),
                                content_type="application/json")
    assert response.status_code == 400


def test_paired_surrogates_and_backslashes_are_ordinary_text(acme_owner, in_acme):
    """An emoji written as a surrogate pair, or a backslash before u0000, is storable."""
    body = '{"type": "nps", "name": "Grow \\ud83d\\ude80 \\\\u0000"}'
    response = acme_owner.post("/api/v1/surveys/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert Survey.objects.get(pk=response.json()["id"]).name == "Grow \U0001f680 \\u0000"


def test_the_safety_net_turns_the_databases_invalid_text_errors_into_a_400(in_acme):
    """Text that still reaches PostgreSQL (a view that builds its own) is a 400, not a 500;
    the errors come from real queries."""
    middleware = UnstorableTextMiddleware(lambda request: None)
    request = RequestFactory().get("/api/v1/anything/")
    errors = []
    for text in ("a\x00b", "a\ud800b"):
        try:
            Customer.objects.filter(name=text).exists()
        except (DataError, UnicodeEncodeError) as error:
            errors.append(error)
    with connection.cursor() as cursor:
        try:
            with _savepoint():
                cursor.execute("SELECT '\"\\u0000\"'::jsonb")
        except DataError as error:
            errors.append(error)
    assert len(errors) == 3
    for error in errors:
        response = middleware.process_exception(request, error)
        assert response is not None and response.status_code == 400, error
        assert "detail" in json.loads(response.content)
    page = middleware.process_exception(RequestFactory().get("/goals/"), errors[0])
    assert page.status_code == 400 and b"Error 400" in page.content


def test_the_safety_net_leaves_other_database_errors_alone(in_acme):
    """A numeric overflow or a division by zero is a bug to see, not bad input."""
    middleware = UnstorableTextMiddleware(lambda request: None)
    with connection.cursor() as cursor:
        try:
            with _savepoint():
                cursor.execute("SELECT 1 / 0")
        except DataError as error:
            assert middleware.process_exception(RequestFactory().get("/api/v1/x/"), error) is None
        else:
            pytest.fail("no error")


def _savepoint():
    from django.db import transaction

    return transaction.atomic()
