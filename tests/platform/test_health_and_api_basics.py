from unittest import mock

from django.test import Client

from tests.conftest import host_client


def test_healthz_reports_database_and_broker_on_any_host(acme, db):
    for host in ("localhost", acme.host, "unknown.localhost", "127.0.0.1"):
        response = Client(HTTP_HOST=host).get("/healthz")
        assert response.status_code == 200, host
        assert response.json() == {"database": "ok", "broker": "ok"}


def test_healthz_names_what_is_down(db):
    with mock.patch("kpihub.celery.app.connection_for_write", side_effect=ConnectionError("refused")):
        response = Client(HTTP_HOST="localhost").get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "ok"
    assert response.json()["broker"].startswith("down")


def test_openapi_schema_and_docs_are_served_locally(acme, db):
    client = host_client(acme.host)
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in ("/api/v1/me/", "/api/v1/auth/token/", "/api/v1/jobs/{id}/"):
        assert path in text
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger" in html.lower()
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()


def test_security_headers_and_content_security_policy(acme, db):
    response = Client(HTTP_HOST="localhost").get("/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    # The public host's forms may end on a tenant host (sign-up redirects there);
    # a tenant host's forms stay on it.
    assert "form-action 'self' http://*.localhost;" in csp
    tenant_csp = Client(HTTP_HOST=acme.host).get("/accounts/login/")["Content-Security-Policy"]
    assert "form-action 'self';" in tenant_csp


def test_landing_page_links_to_signup(db):
    page = Client(HTTP_HOST="localhost").get("/")
    assert page.status_code == 200
    assert b'href="/signup/"' in page.content


def test_signup_api_is_throttled(db, monkeypatch):
    import random

    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"signup": "2/hour", "token": "2/minute"})
    # A fresh client address: throttle counters live in Redis, which the broker shares,
    # so the test never clears the cache.
    address = "10.%d.%d.%d" % tuple(random.randrange(1, 255) for _ in range(3))
    client = host_client("localhost")
    statuses = [client.post("/api/v1/signup/", {"slug": "x"}, format="json",
                            REMOTE_ADDR=address).status_code for _ in range(3)]
    assert statuses == [400, 400, 429]
