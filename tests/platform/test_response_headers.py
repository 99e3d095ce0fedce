"""What every response says about itself: a company's pages, API answers and exports
are never stored by a browser or a proxy (Cache-Control: no-store), every response
denies the browser features no page uses (Permissions-Policy), and a host name is
matched whatever its case."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from tests.conftest import host_client


@pytest.fixture
def owner_browser(acme, db) -> Client:
    connection.set_tenant(acme.tenant)
    client = Client(HTTP_HOST=acme.host)
    client.force_login(get_user_model().objects.get(username=acme.owner_email))
    connection.set_schema_to_public()
    return client


def never_stored(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.mark.parametrize("url", [
    "/",  # the dashboard
    "/data/invoices/",
    "/data/invoices/export.csv",
    "/surveys/",
    "/imports/template/invoices.xlsx",
    "/team/",
])
def test_a_companys_pages_and_exports_are_never_stored(owner_browser, url):
    response = owner_browser.get(url)
    assert response.status_code == 200, url
    assert never_stored(response), (url, response.get("Cache-Control"))


def test_api_answers_are_never_stored(acme_owner, acme_client, public_client):
    assert never_stored(acme_owner.get("/api/v1/me/"))
    assert never_stored(acme_owner.get("/api/v1/data/invoices/"))
    assert never_stored(acme_client.get("/api/v1/me/"))  # a 401 too
    assert never_stored(public_client.post("/api/v1/signup/", {"slug": "x"}, format="json",
                                           REMOTE_ADDR="192.0.2.77"))


def test_a_tenant_hosts_log_in_page_and_errors_are_never_stored(acme, db):
    client = Client(HTTP_HOST=acme.host)
    assert never_stored(client.get("/accounts/login/"))
    assert never_stored(client.get("/no-such-page/"))


def test_the_public_landing_page_may_be_cached_but_sign_up_and_admin_not(db):
    client = Client(HTTP_HOST="localhost")
    assert not never_stored(client.get("/"))
    assert never_stored(client.get("/signup/"))
    assert never_stored(client.get("/admin/login/"))


@pytest.mark.parametrize("host,url", [
    ("acme.localhost", "/accounts/login/"),
    ("acme.localhost", "/api/v1/me/"),
    ("localhost", "/"),
    ("localhost", "/healthz"),
    ("localhost", "/static/css/app.css"),
    ("nobody.localhost", "/"),  # an unknown host's 404
])
def test_every_response_denies_camera_microphone_and_geolocation(acme, db, host, url):
    response = Client(HTTP_HOST=host).get(url)
    policy = response.get("Permissions-Policy", "")
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in policy, (host, url, response.status_code, policy)


@pytest.mark.parametrize("host", ["ACME.localhost", "Acme.LocalHost", "ACME.LOCALHOST:8000", "acme.localhost."])
def test_a_host_in_any_case_reaches_its_company(acme, db, host):
    response = host_client(host, acme.owner_token).get("/api/v1/me/")
    assert response.status_code == 200, host
    assert response.json()["tenant"]["slug"] == "acme"


def test_a_form_posted_to_an_upper_case_host_passes_csrf_and_logs_in(acme, db):
    client = Client(HTTP_HOST="ACME.localhost", enforce_csrf_checks=True)
    assert client.get("/accounts/login/").status_code == 200
    token = client.cookies["csrftoken"].value
    # Browsers send the Origin lower-case, whatever case the address was typed in.
    response = client.post("/accounts/login/", {"username": acme.owner_email, "password": acme.password,
                                                "csrfmiddlewaretoken": token},
                           HTTP_ORIGIN="http://acme.localhost")
    assert response.status_code == 302, response.content[:300]
    assert client.get("/").status_code == 200


def test_an_upper_case_host_of_an_unknown_company_is_still_a_404(db):
    assert Client(HTTP_HOST="NOBODY.localhost").get("/").status_code == 404
