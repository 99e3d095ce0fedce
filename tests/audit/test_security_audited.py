"""API tokens made and revoked, and the company's two-factor rule, are in the audit log;
a token's secret never is."""

from __future__ import annotations

from django.db import connection

from accounts.models import SecurityPolicy
from tests.conftest import host_client


def audit(client, **params):
    response = client.get("/api/v1/audit/", params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_a_named_token_made_and_revoked_is_recorded_without_its_secret(acme, acme_owner, db):
    made = acme_owner.post("/api/v1/tokens/", {"name": "Spreadsheet", "read_only": True},
                           REMOTE_ADDR="192.0.2.44").json()
    assert acme_owner.delete(f"/api/v1/tokens/{made['id']}/").status_code == 204
    [created] = audit(acme_owner, action="token.created")
    [revoked] = audit(acme_owner, action="token.revoked")
    for event in (created, revoked):
        assert event["object"].startswith("API token “Spreadsheet”")
        assert event["user_email"] == acme.owner_email and event["via"] == "token"
    assert created["ip"] == "192.0.2.44" and created["changes"]["read_only"] is True
    assert made["token"] not in str(created) and "digest" not in created["changes"]
    # Each sign-in through the token endpoint makes a token of its own: not an event of its own.
    host_client(acme.host).post("/api/v1/auth/token/", {"email": acme.owner_email, "password": acme.password})
    assert len(audit(acme_owner, action="token.created")) == 1


def test_the_company_two_factor_rule_is_recorded(acme, acme_owner, db):
    connection.set_tenant(acme.tenant)
    policy = SecurityPolicy.objects.order_by("pk").first() or SecurityPolicy.objects.create()
    policy.require_two_factor = True
    policy.save()
    policy.require_two_factor = False  # so that the owner, without two-factor, can read the log
    policy.save()
    connection.set_schema_to_public()
    changes = [e["changes"]["require_two_factor"] for e in audit(acme_owner, action="company.two_factor_policy_changed")]
    assert changes == [[True, False], [False, True]]


def test_a_sign_in_through_the_token_endpoint_is_recorded_as_one(acme, acme_owner, db):
    host_client(acme.host).post("/api/v1/auth/token/", {"email": acme.owner_email, "password": "wrong"},
                                REMOTE_ADDR="198.51.100.77")
    host_client(acme.host).post("/api/v1/auth/token/", {"email": acme.owner_email, "password": acme.password},
                                REMOTE_ADDR="198.51.100.77")
    [failed] = audit(acme_owner, action="sign_in.failed")
    [succeeded] = audit(acme_owner, action="sign_in.succeeded")
    assert (failed["via"], failed["ip"]) == ("api", "198.51.100.77")
    assert (succeeded["via"], succeeded["user_email"]) == ("api", acme.owner_email)
