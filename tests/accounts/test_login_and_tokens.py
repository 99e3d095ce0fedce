"""Logging in, out, resetting a password, API tokens, and brute-force protection."""

import re

from django.test import Client

from tests.conftest import host_client
from tests.support.smtp import html_of, text_of


def test_login_and_logout(acme, db):
    client = Client(HTTP_HOST=acme.host)
    assert client.get("/accounts/login/").status_code == 200
    response = client.post("/accounts/login/", {"username": acme.owner_email.upper(),
                                                "password": acme.password})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_password_reset_by_email(acme, db, smtp_sink):
    client = Client(HTTP_HOST=acme.host)
    client.post("/accounts/password-reset/", {"email": acme.owner_email})
    assert len(smtp_sink.messages) == 1
    body = text_of(smtp_sink.messages[0])
    assert "reset" in html_of(smtp_sink.messages[0]).lower()
    link = re.search(r"http://acme\.localhost(/accounts/reset/\S+/)", body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    set_url = form.redirect_chain[-1][0] if form.redirect_chain else link
    done = client.post(set_url, {"new_password1": "brand-new-pass-777",
                                 "new_password2": "brand-new-pass-777"})
    assert done.status_code == 302
    assert Client(HTTP_HOST=acme.host).post(
        "/accounts/login/", {"username": acme.owner_email, "password": "brand-new-pass-777"}
    ).status_code == 302


def test_token_endpoint_rejects_wrong_password_and_malformed_input(acme, db):
    client = host_client(acme.host)
    assert client.post("/api/v1/auth/token/", {"email": acme.owner_email,
                                               "password": "nope"}).status_code == 400
    assert client.post("/api/v1/auth/token/", {"email": "not-an-email"}).status_code == 400
    assert client.post("/api/v1/auth/token/", "{oops", content_type="application/json").status_code == 400


def test_repeated_failures_lock_that_email_from_that_address_only(acme, db):
    client = host_client(acme.host)
    for _ in range(3):  # AXES_FAILURE_LIMIT in test settings
        client.post("/api/v1/auth/token/", {"email": acme.owner_email, "password": "wrong"},
                    REMOTE_ADDR="10.1.1.1")
    locked = client.post("/api/v1/auth/token/", {"email": acme.owner_email, "password": acme.password},
                         REMOTE_ADDR="10.1.1.1")
    assert locked.status_code == 429
    assert "Try again in 15 minutes" in locked.json()["detail"]
    # The real owner, from elsewhere, is not locked out.
    elsewhere = client.post("/api/v1/auth/token/", {"email": acme.owner_email,
                                                    "password": acme.password},
                            REMOTE_ADDR="10.2.2.2")
    assert elsewhere.status_code == 200


def test_login_page_locks_after_repeated_failures(acme, db):
    client = Client(HTTP_HOST=acme.host)
    for _ in range(3):
        client.post("/accounts/login/", {"username": acme.owner_email, "password": "wrong"})
    locked = client.post("/accounts/login/", {"username": acme.owner_email, "password": acme.password})
    assert locked.status_code == 429
    assert b"try again" in locked.content.lower()


def test_me_requires_authentication(acme, db):
    assert host_client(acme.host).get("/api/v1/me/").status_code == 401
    assert host_client(acme.host, "0" * 40).get("/api/v1/me/").status_code == 401
