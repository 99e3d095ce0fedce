"""Sign-up through the API and the page: the good path and every bad input."""

import pytest
from django.db import connection
from django_tenants.utils import schema_exists

from tenants.models import Domain, Tenant

GOOD = {"company_name": "Initech", "slug": "initech", "email": "Boss@Initech.example",
        "password": "correct-horse-battery-staple", "currency": "EUR", "timezone": "Europe/Lisbon"}


@pytest.mark.django_db
def test_api_signup_creates_tenant_domain_owner_and_returns_a_working_token(public_client):
    response = public_client.post("/api/v1/signup/", GOOD, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["slug"] == "initech"
    assert body["domain"] == "initech.localhost"
    assert body["url"].startswith("http") and "initech.localhost" in body["url"]
    tenant = Tenant.objects.get(slug="initech")
    assert (tenant.currency, tenant.timezone, tenant.status) == ("EUR", "Europe/Lisbon", "active")
    assert Domain.objects.get(tenant=tenant).domain == "initech.localhost"
    assert schema_exists(tenant.schema_name)

    from tests.conftest import host_client

    me = host_client("initech.localhost", body["token"]).get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["email"] == "boss@initech.example"
    assert me.json()["role"] == "owner"
    assert me.json()["tenant"]["currency"] == "EUR"


@pytest.mark.django_db
def test_signup_defaults_to_usd_and_utc(public_client):
    data = {k: v for k, v in GOOD.items() if k not in ("currency", "timezone")}
    assert public_client.post("/api/v1/signup/", data, format="json").status_code == 201
    tenant = Tenant.objects.get(slug="initech")
    assert (tenant.currency, tenant.timezone) == ("USD", "UTC")


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("slug", "ab", "3 to 40"),
        ("slug", "a" * 41, "40"),
        ("slug", "Acme", "lowercase"),
        ("slug", "acme_shop", "lowercase letters, digits"),
        ("slug", "-acme", "starting and ending"),
        ("slug", "acme-", "starting and ending"),
        ("slug", "ac--me", "single hyphens"),
        ("slug", "www", "reserved"),
        ("slug", "admin", "reserved"),
        ("slug", "api", "reserved"),
        ("slug", "static", "reserved"),
        ("slug", "mail", "reserved"),
        ("slug", "", "required"),
        ("email", "not-an-email", "valid email"),
        ("password", "123", "too short"),
        ("password", "password123", "too common"),
        ("password", "98765432109876", "entirely numeric"),
        ("password", "boss@initech.example", "too similar"),
        ("company_name", "", "required"),
        ("currency", "XXX", "valid choice"),
        ("timezone", "Mars/Olympus", "valid choice"),
    ],
)
@pytest.mark.django_db
def test_bad_signup_is_a_400_naming_the_field(public_client, field, value, fragment):
    response = public_client.post("/api/v1/signup/", {**GOOD, field: value}, format="json")

    assert response.status_code == 400
    errors = response.json()
    assert field in errors
    assert fragment.lower() in " ".join(errors[field]).lower()
    assert not Tenant.objects.filter(slug="initech").exists()


@pytest.mark.django_db
def test_taken_slug_is_refused(public_client, acme):
    response = public_client.post("/api/v1/signup/", {**GOOD, "slug": "acme"}, format="json")
    assert response.status_code == 400
    assert "already taken" in response.json()["slug"][0]


@pytest.mark.parametrize("payload", ["not json at all", "[1, 2, 3]", '"a string"', "{"])
@pytest.mark.django_db
def test_malformed_json_is_a_400_not_a_500(public_client, payload):
    response = public_client.post("/api/v1/signup/", payload, content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()


@pytest.mark.django_db
def test_failure_midway_leaves_no_tenant_domain_or_schema(public_client, monkeypatch):
    import accounts.services

    def explode(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("tenants.signup.add_member", explode)
    with pytest.raises(RuntimeError):
        public_client.post("/api/v1/signup/", GOOD, format="json")

    connection.set_schema_to_public()
    assert not Tenant.objects.filter(slug="initech").exists()
    assert not Domain.objects.filter(domain="initech.localhost").exists()
    assert not schema_exists("t_initech")
    assert accounts.services  # the real service stays importable


@pytest.mark.django_db
def test_signup_page_creates_tenant_and_logs_the_owner_in_on_their_host(public_client):
    page = public_client.get("/signup/")
    assert page.status_code == 200
    assert b'name="slug"' in page.content

    response = public_client.post("/signup/", GOOD)
    assert response.status_code == 302
    handoff = response["Location"]
    assert handoff.startswith("http://initech.localhost")

    from django.test import Client

    owner = Client(HTTP_HOST="initech.localhost")
    path = handoff.split("initech.localhost", 1)[1].split("/", 1)[1]
    landed = owner.get("/" + path, follow=True)
    assert landed.status_code == 200
    assert b"Initech" in landed.content
    # The hand-off link is single-use.
    assert Client(HTTP_HOST="initech.localhost").get("/" + path).status_code == 404


@pytest.mark.django_db
def test_a_handoff_link_is_refused_on_another_tenants_host_and_works_once_on_its_own(public_client, acme):
    from django.test import Client

    # A slug of its own: a link is signed to the second, so another test's sign-up of
    # initech in the same second would hand out (and spend) the very same link.
    response = public_client.post("/signup/", {**GOOD, "slug": "hooli"})
    assert response.status_code == 302
    path = response["Location"].split("hooli.localhost", 1)[1]

    elsewhere = Client(HTTP_HOST=acme.host)
    assert elsewhere.get(path).status_code == 404
    assert elsewhere.get("/").status_code == 302  # not logged in on acme
    # Refused on acme, it is still good (once) on its own host.
    assert Client(HTTP_HOST="hooli.localhost").get(path).status_code == 302
    assert Client(HTTP_HOST="hooli.localhost").get(path).status_code == 404


@pytest.mark.django_db
def test_signup_page_shows_errors_in_the_form(public_client):
    response = public_client.post("/signup/", {**GOOD, "slug": "www"})
    assert response.status_code == 400
    assert b"reserved" in response.content
