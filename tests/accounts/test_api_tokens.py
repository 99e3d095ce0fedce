"""Named API tokens: read-only or read-write, shown once, stored hashed, last use shown,
revocable, and meaningless on another company's host."""

from __future__ import annotations

import hashlib
import importlib

import pytest
from django.db import connection
from django.test import Client

from accounts import api_tokens
from accounts.models import ApiToken, Member
from accounts.services import add_member, issue_token
from tests.conftest import host_client


def make_token(client, name="Nightly export", read_only=False) -> dict:
    response = client.post("/api/v1/tokens/", {"name": name, "read_only": read_only}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_a_new_token_is_shown_once_and_only_its_hash_is_stored(acme, acme_owner):
    made = make_token(acme_owner)
    key = made["token"]
    assert made["name"] == "Nightly export" and made["read_only"] is False
    connection.set_tenant(acme.tenant)
    stored = ApiToken.objects.get(pk=made["id"])
    assert stored.digest == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {str(value) for value in ApiToken.objects.values_list(
        "name", "digest", "prefix").get(pk=made["id"])}
    assert key.startswith(stored.prefix) and len(stored.prefix) == 8
    listed = acme_owner.get("/api/v1/tokens/").json()
    assert made["id"] in [token["id"] for token in listed]
    assert key not in str(listed) and all("token" not in token for token in listed)
    assert host_client(acme.host, key).get("/api/v1/me/").json()["email"] == acme.owner_email


def test_a_read_only_token_reads_but_gets_403_on_any_unsafe_method(acme, acme_owner):
    made = make_token(acme_owner, name="Dashboard on the wall", read_only=True)
    reader = host_client(acme.host, made["token"])
    assert reader.get("/api/v1/me/").status_code == 200
    assert reader.get("/api/v1/tokens/").status_code == 200
    assert reader.options("/api/v1/tokens/").status_code == 200
    refused = [
        reader.post("/api/v1/invitations/", {"email": "x@acme.example"}, format="json"),
        reader.post("/api/v1/tokens/", {"name": "escalate"}, format="json"),
        reader.delete(f"/api/v1/tokens/{made['id']}/"),
        reader.patch("/api/v1/security/two-factor/", {"require_two_factor": False}, format="json"),
        reader.put("/api/v1/tokens/", {}, format="json"),
        reader.post("/api/v1/kpis/recompute/"),
    ]
    assert [response.status_code for response in refused] == [403] * len(refused)
    assert "read-only" in refused[0].json()["detail"]
    connection.set_tenant(acme.tenant)
    assert ApiToken.objects.filter(pk=made["id"]).exists()  # nothing changed


def test_a_revoked_token_stops_working_at_once(acme, acme_owner):
    made = make_token(acme_owner)
    client = host_client(acme.host, made["token"])
    assert client.get("/api/v1/me/").status_code == 200
    assert acme_owner.delete(f"/api/v1/tokens/{made['id']}/").status_code == 204
    assert client.get("/api/v1/me/").status_code == 401
    assert acme_owner.delete(f"/api/v1/tokens/{made['id']}/").status_code == 404


def test_last_use_is_recorded_and_listed(acme, acme_owner):
    made = make_token(acme_owner)
    assert made["last_used_at"] is None
    host_client(acme.host, made["token"]).get("/api/v1/me/")
    listed = {token["id"]: token for token in acme_owner.get("/api/v1/tokens/").json()}
    assert listed[made["id"]]["last_used_at"] is not None


def test_nobody_sees_or_revokes_a_teammates_tokens(acme, acme_owner):
    connection.set_tenant(acme.tenant)
    mia = add_member(email="mia@acme.example", password="member-pass-9876", role=Member.Role.MEMBER)
    mia_client = host_client(acme.host, issue_token(mia))
    owners = make_token(acme_owner)
    assert owners["id"] not in [token["id"] for token in mia_client.get("/api/v1/tokens/").json()]
    assert mia_client.delete(f"/api/v1/tokens/{owners['id']}/").status_code == 404
    assert host_client(acme.host, owners["token"]).get("/api/v1/me/").status_code == 200


def test_a_token_of_one_company_means_nothing_on_another(acme, globex, acme_owner, globex_owner):
    made = make_token(acme_owner)
    stolen = host_client(globex.host, made["token"])
    assert stolen.get("/api/v1/me/").status_code == 401
    assert stolen.get("/api/v1/tokens/").status_code == 401
    assert host_client(globex.host, acme.owner_token).get("/api/v1/me/").status_code == 401
    assert made["id"] not in [token["id"] for token in globex_owner.get("/api/v1/tokens/").json()]
    assert globex_owner.delete(f"/api/v1/tokens/{made['id']}/").status_code == 404
    assert host_client(acme.host, made["token"]).get("/api/v1/me/").status_code == 200


def test_signing_in_hands_out_a_new_token_each_time_and_earlier_ones_keep_working(acme, acme_client):
    first = acme_client.post("/api/v1/auth/token/", {"email": acme.owner_email, "password": acme.password})
    second = acme_client.post("/api/v1/auth/token/", {"email": acme.owner_email, "password": acme.password,
                                                      "name": "CI", "read_only": True})
    assert first.status_code == second.status_code == 200
    assert first.json()["token"] != second.json()["token"]
    assert second.json()["name"] == "CI" and second.json()["read_only"] is True
    for key in (first.json()["token"], second.json()["token"], acme.owner_token):  # the sign-up's too
        assert host_client(acme.host, key).get("/api/v1/me/").status_code == 200
    assert host_client(acme.host, second.json()["token"]).post("/api/v1/tokens/", {"name": "x"}).status_code == 403


def test_sign_ins_past_the_limit_drop_the_least_recently_used_sign_in_token(in_acme, monkeypatch):
    monkeypatch.setattr(api_tokens, "SIGN_IN_TOKENS_KEPT", 2)
    user = add_member(email="bot@acme.example", password="member-pass-9876", role=Member.Role.MEMBER)
    named = api_tokens.create_token(user=user, name="Kept: named on the page")
    oldest, used, newest = (api_tokens.issue_sign_in_token(user=user) for _ in range(3))
    assert not ApiToken.objects.filter(pk=oldest.token.pk).exists()
    api_tokens.token_for_key(used.key)  # used since: now the most recently used
    api_tokens.issue_sign_in_token(user=user)
    assert set(ApiToken.objects.filter(user=user).values_list("pk", flat=True)) >= {
        named.token.pk, used.token.pk}
    assert not ApiToken.objects.filter(pk=newest.token.pk).exists()


@pytest.mark.parametrize("body", [{"name": ""}, {"name": "   "}, {"name": "x" * 101},
                                  {"name": "ok", "read_only": "sometimes"}, {}])
def test_bad_token_requests_are_400(acme_owner, body):
    response = acme_owner.post("/api/v1/tokens/", body, format="json")
    assert response.status_code == 400
    assert set(response.json()) <= {"name", "read_only"}


@pytest.mark.parametrize("header", ["Token", "Token a b", "Token \x00", "Token " + "k" * 500, "Bearer x"])
def test_malformed_or_unknown_keys_are_401(acme_client, header):
    assert acme_client.get("/api/v1/me/", HTTP_AUTHORIZATION=header).status_code == 401


def test_keys_from_before_hashing_keep_working(in_acme):
    """A key DRF's authtoken stored in clear moves into a hash (migration 0005) and still
    authenticates, unchanged; the clear table is gone."""
    migration = importlib.import_module("accounts.migrations.0005_hash_drf_tokens")
    owner = Member.objects.get(role=Member.Role.OWNER).user
    legacy_key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamptz NOT NULL,"
                       " user_id integer NOT NULL)")
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, now(), %s)", [legacy_key, owner.pk])
    with connection.schema_editor(atomic=False) as editor:
        migration.hash_drf_tokens(None, editor)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('authtoken_token')")
        assert cursor.fetchone()[0] is None
    assert ApiToken.objects.get(prefix=legacy_key[:8]).digest == hashlib.sha256(legacy_key.encode()).hexdigest()
    connection.set_schema_to_public()
    assert host_client("acme.localhost", legacy_key).get("/api/v1/me/").status_code == 200


def test_the_tokens_page_makes_a_token_shows_its_key_once_and_revokes_it(acme, db):
    page = Client(HTTP_HOST=acme.host)
    page.post("/accounts/login/", {"username": acme.owner_email, "password": acme.password})
    made = page.post("/accounts/security/tokens/", {"name": "Spreadsheet", "access": "read"})
    assert made.status_code == 200
    key = made.context["new_token"].key
    assert key.encode() in made.content
    again = page.get("/accounts/security/")
    assert b"Spreadsheet" in again.content and key.encode() not in again.content
    assert b"Never" in again.content  # last used
    assert host_client(acme.host, key).get("/api/v1/me/").status_code == 200
    assert host_client(acme.host, key).post("/api/v1/tokens/", {"name": "x"}).status_code == 403  # read only
    assert b"Read only" in page.get("/accounts/security/").content
    token_id = made.context["new_token"].token.pk
    assert page.post(f"/accounts/security/tokens/{token_id}/revoke/").status_code == 302
    assert host_client(acme.host, key).get("/api/v1/me/").status_code == 401
    assert page.post("/accounts/security/tokens/", {"name": "", "access": "read"}).status_code == 400
    assert page.post(f"/accounts/security/tokens/{token_id}/revoke/").status_code == 404
