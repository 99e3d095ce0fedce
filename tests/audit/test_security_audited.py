"""API tokens made and revoked, each person's two-factor on and off, and the company's
two-factor rule, are in the audit log, and a write made with a token names the token;
a token's secret never is."""

from __future__ import annotations

import pghistory
from django.contrib.auth import get_user_model
from django.db import connection
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.models import Member, SecurityPolicy
from accounts.services import add_member
from tests.accounts.two_factor_support import turn_on_two_factor
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


def test_two_factor_turned_on_and_off_is_recorded_with_who_did_it(acme, acme_owner, db):
    """The person who turns their own app on and off, and the owner who resets someone
    who lost their phone: the log names the app's person and who acted."""
    connection.set_tenant(acme.tenant)
    owner = get_user_model().objects.get(email=acme.owner_email)
    ann = add_member(email="ann@acme.example", password="member-pass-9876", role=Member.Role.ADMIN)
    device, _ = turn_on_two_factor(ann)
    started = two_factor.start_enrolment(user=owner)  # started, never confirmed: not an event
    TOTPDevice.objects.filter(pk=started.device.pk).delete()
    with pghistory.context(user=owner.pk, email=owner.email, via="session"):
        two_factor.reset_for_member(member=Member.objects.get(user=ann), by=owner)
    connection.set_schema_to_public()

    [enabled] = audit(acme_owner, action="two_factor.enabled")
    [disabled] = audit(acme_owner, action="two_factor.disabled")
    assert enabled["object"] == disabled["object"] == "Authenticator app of ann@acme.example"
    assert disabled["user_email"] == acme.owner_email  # who reset it, not whose it was
    assert {e["action"] for e in audit(acme_owner)} >= {"two_factor.enabled", "two_factor.disabled"}
    assert "key" not in str(enabled["changes"])  # never the secret


def test_a_write_made_with_a_named_token_names_that_token(acme, acme_owner, db):
    made = acme_owner.post("/api/v1/tokens/", {"name": "Nightly sync", "read_only": False}).json()
    with_token = host_client(acme.host, made["token"])
    assert with_token.post("/api/v1/kpis/recompute/").status_code == 202
    [requested] = audit(acme_owner, action="kpis.recompute_requested")
    assert requested["via"] == "token"
    prefix = requested["token"].removeprefix("Nightly sync (").removesuffix("…)")
    assert requested["token"] == f"Nightly sync ({prefix}…)" and made["token"].startswith(prefix)
    assert len(prefix) < len(made["token"]) // 2  # never the key itself
    page = acme_owner.get("/api/v1/audit/export/")
    assert b"Nightly sync (" in b"".join(page.streaming_content)
