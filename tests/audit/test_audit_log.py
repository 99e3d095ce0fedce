"""The audit log (issue 16): who did what, when, from where; read-only, owners and
admins only, one company's events never shown to another."""

from __future__ import annotations

import csv
import datetime as dt
import io
from unittest import mock

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from accounts.models import Member
from accounts.services import add_member
from audit.models import GoalEvent
from metrics.models import Goal
from tenants.models import Tenant
from tests.conftest import host_client

BROWSER = "Mozilla/5.0 (audit test)"


@pytest.fixture
def acme_member(in_acme):
    user = add_member(email="mia@acme.example", password="member-pass-9876", role=Member.Role.MEMBER)
    connection.set_schema_to_public()
    return user


def audit(client, **params):
    response = client.get("/api/v1/audit/", params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def owner_id(handle) -> int:
    connection.set_tenant(handle.tenant)
    pk = Member.objects.get(role=Member.Role.OWNER).user_id
    connection.set_schema_to_public()
    return pk


def make_goal(handle, **fields) -> Goal:
    connection.set_tenant(handle.tenant)
    owner = Member.objects.get(role=Member.Role.OWNER).user
    goal = Goal.objects.create(title="Grow MRR", kpi="mrr", target_value=1000, baseline_value=100,
                               start_date=dt.date(2026, 1, 1), deadline=dt.date(2026, 12, 31),
                               owner=owner, created_by=owner, **fields)
    connection.set_schema_to_public()
    return goal


def test_a_write_through_the_api_names_who_how_and_from_where(acme, acme_owner, db):
    acme_owner.post("/api/v1/invitations/", {"email": "ann@acme.example", "role": "admin"},
                    REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="curl/8.5")
    [event] = audit(acme_owner, action="invitation.sent")
    assert event["user"] == owner_id(acme)
    assert event["user_email"] == acme.owner_email
    assert event["via"] == "token"
    assert event["ip"] == "203.0.113.7"
    assert event["user_agent"] == "curl/8.5"
    assert event["object"] == "Invitation for ann@acme.example"
    assert event["changes"]["role"] == "admin"


def test_sign_ins_and_failed_sign_ins_are_recorded_with_address_and_browser(acme, acme_owner, db):
    browser = Client(HTTP_HOST=acme.host, HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="198.51.100.4")
    browser.post("/accounts/login/", {"username": acme.owner_email, "password": "wrong"})
    browser.post("/accounts/login/", {"username": "nobody@acme.example", "password": "wrong"})
    assert browser.post("/accounts/login/", {"username": acme.owner_email,
                                             "password": acme.password}).status_code == 302
    failed = audit(acme_owner, action="sign_in.failed")
    assert [(e["user_email"], e["ip"], e["user_agent"]) for e in failed] == [
        ("nobody@acme.example", "198.51.100.4", BROWSER), (acme.owner_email, "198.51.100.4", BROWSER)]
    [signed_in] = audit(acme_owner, action="sign_in.succeeded")
    assert signed_in["user"] == owner_id(acme) and signed_in["via"] == "session"
    # Filtering by person finds the failed attempt on their account too.
    mine = audit(acme_owner, user=owner_id(acme))
    assert {e["action"] for e in mine} >= {"sign_in.failed", "sign_in.succeeded"}


def test_a_change_made_by_raw_sql_is_recorded_with_its_before_and_after(acme, acme_owner, db):
    goal = make_goal(acme)
    connection.set_tenant(acme.tenant)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE metrics_goal SET title = 'Grow MRR faster', status = 'at_risk' WHERE id = %s",
                       [goal.pk])
        # The evaluation's own fields are not an audited change.
        cursor.execute("UPDATE metrics_goal SET status = 'on_track' WHERE id = %s", [goal.pk])
    connection.set_schema_to_public()
    [changed] = audit(acme_owner, action="goal.changed")
    assert changed["changes"] == {"title": ["Grow MRR", "Grow MRR faster"]}
    assert changed["user"] is None and changed["user_email"] == ""  # no request: the system
    [created] = audit(acme_owner, action="goal.created")
    assert created["object"] == "Goal “Grow MRR”"


def test_role_changes_and_kpi_recomputes_are_recorded(acme, acme_owner, acme_member, db):
    owner = Client(HTTP_HOST=acme.host, REMOTE_ADDR="192.0.2.9")
    owner.post("/accounts/login/", {"username": acme.owner_email, "password": acme.password})
    connection.set_tenant(acme.tenant)
    mia = Member.objects.get(user=acme_member)
    connection.set_schema_to_public()
    owner.post(f"/team/{mia.pk}/", {"role": "admin"})
    acme_owner.post("/api/v1/kpis/recompute/")
    [role] = audit(acme_owner, action="member.role_changed")
    assert role["changes"]["role"] == ["member", "admin"]
    assert role["object"] == "Member mia@acme.example"
    assert role["via"] == "session" and role["ip"] == "192.0.2.9"
    [recompute] = audit(acme_owner, action="kpis.recompute_requested")
    assert recompute["via"] == "token" and recompute["user_email"] == acme.owner_email


def test_company_settings_changes_are_recorded_in_that_company(acme, globex, acme_owner, globex_owner, db):
    tenant = Tenant.objects.get(pk=acme.tenant.pk)
    tenant.timezone = "Europe/Lisbon"
    tenant.save()
    [event] = audit(acme_owner, action="company.settings_changed")
    assert event["changes"] == {"timezone": ["UTC", "Europe/Lisbon"]}
    assert audit(globex_owner, action="company.settings_changed") == []


def test_times_are_given_in_the_company_time_zone(acme, acme_owner, db):
    Tenant.objects.filter(pk=acme.tenant.pk).update(timezone="Asia/Tokyo")
    make_goal(acme)
    [event] = audit(acme_owner, action="goal.created")
    assert event["at"].endswith("+09:00")


def test_another_company_never_sees_these_events(acme, globex, acme_owner, globex_owner, db):
    make_goal(acme)
    acme_owner.post("/api/v1/invitations/", {"email": "secret@acme.example"})
    assert audit(acme_owner, action="goal.created")
    globex_events = audit(globex_owner)
    assert not any("acme" in str(event) for event in globex_events)
    # acme's owner's token means nothing on globex's host.
    assert host_client(globex.host, acme.owner_token).get("/api/v1/audit/").status_code == 401


def test_only_owners_and_admins_read_it(acme, acme_owner, acme_member, db):
    member_token = host_client(acme.host).post(
        "/api/v1/auth/token/", {"email": "mia@acme.example", "password": "member-pass-9876"}).json()["token"]
    assert host_client(acme.host, member_token).get("/api/v1/audit/").status_code == 403
    assert host_client(acme.host, member_token).get("/api/v1/audit/export/").status_code == 403
    assert host_client(acme.host).get("/api/v1/audit/").status_code == 401
    member = Client(HTTP_HOST=acme.host)
    member.post("/accounts/login/", {"username": "mia@acme.example", "password": "member-pass-9876"})
    assert member.get("/audit/").status_code == 403
    assert "Audit log" not in member.get("/team/").content.decode()
    owner = Client(HTTP_HOST=acme.host)
    owner.post("/accounts/login/", {"username": acme.owner_email, "password": acme.password})
    page = owner.get("/audit/")
    assert page.status_code == 200 and "Signed in" in page.content.decode()
    assert 'href="/audit/"' in owner.get("/team/").content.decode()


def test_nobody_can_write_to_it_through_the_api(acme, acme_owner, acme_member, db):
    member_token = host_client(acme.host).post(
        "/api/v1/auth/token/", {"email": "mia@acme.example", "password": "member-pass-9876"}).json()["token"]
    for client in (acme_owner, host_client(acme.host, member_token)):
        for path in ("/api/v1/audit/", "/api/v1/audit/export/"):
            assert client.post(path, {"action": "goal.created"}).status_code == 405
            assert client.put(path, {}).status_code == 405
            assert client.patch(path, {}).status_code == 405
            assert client.delete(path).status_code == 405


def test_the_event_tables_refuse_updates_and_deletes_whoever_asks(acme, db):
    make_goal(acme)
    connection.set_tenant(acme.tenant)
    for statement in ("UPDATE audit_goalevent SET title = 'forged'", "DELETE FROM audit_goalevent"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert GoalEvent.objects.filter(title="Grow MRR").count() == 1
    connection.set_schema_to_public()


def test_filters_by_action_and_dates_and_bad_filters_are_a_400(acme, acme_owner, db):
    make_goal(acme)
    today = dt.datetime.now(dt.timezone.utc).date()
    assert audit(acme_owner, action="goal.created", since=today.isoformat(), until=today.isoformat())
    assert audit(acme_owner, action="goal.created", until=(today - dt.timedelta(days=2)).isoformat()) == []
    for bad in ({"since": "yesterday"}, {"action": "goal.hacked"}, {"user": "x"}, {"until": "2026-13-01"}):
        assert acme_owner.get("/api/v1/audit/", bad).status_code == 400
    owner = Client(HTTP_HOST=acme.host)
    owner.post("/accounts/login/", {"username": acme.owner_email, "password": acme.password})
    assert owner.get("/audit/", {"since": "yesterday"}).status_code == 400


def test_the_log_exports_as_csv_with_the_same_filters(acme, acme_owner, db):
    make_goal(acme, why="=HYPERLINK(\"http://evil\")")
    response = acme_owner.get("/api/v1/audit/export/", {"action": "goal.created"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["time", "user", "action"]
    [row] = rows[1:]
    assert row[2] == "goal.created" and row[5] == "Goal “Grow MRR”"
    assert "why: =HYPERLINK" in row[6]  # inside a longer cell, so not a formula


def test_the_api_pages_through_a_long_log(acme, acme_owner, db):
    for n in range(3):
        make_goal(acme)
    response = acme_owner.get("/api/v1/audit/", {"action": "goal.created", "page_size": 2})
    assert response.json()["count"] == 3 and len(response.json()["results"]) == 2


def test_the_address_is_the_real_client_behind_a_trusted_proxy_and_never_a_forged_header(
        acme, acme_owner, db, settings):
    settings.KPIHUB_TRUSTED_PROXIES = ["10.0.0.0/8"]
    acme_owner.post("/api/v1/invitations/", {"email": "p1@acme.example"},
                    REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.50")
    acme_owner.post("/api/v1/invitations/", {"email": "p2@acme.example"},
                    REMOTE_ADDR="198.51.100.23", HTTP_X_FORWARDED_FOR="1.2.3.4")
    addresses = {e["object"]: e["ip"] for e in audit(acme_owner, action="invitation.sent")}
    assert addresses == {"Invitation for p1@acme.example": "203.0.113.50",
                         "Invitation for p2@acme.example": "198.51.100.23"}


def test_platform_staff_in_public_are_never_audited_there(acme, db):
    """auth_user exists in public too (platform staff); the audit lives in tenant schemas only."""
    from django.contrib.auth.models import User

    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'public.auth_user'::regclass "
                       "AND NOT tgisinternal")
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT to_regclass('public.audit_userevent')")
        assert cursor.fetchone()[0] is None
    User.objects.create_superuser("staff", "staff@platform.example", "staff-pass-12345")
    connection.set_tenant(acme.tenant)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'auth_user'::regclass "
                       "AND tgname LIKE 'pgtrigger_user_%'")
        assert cursor.fetchone()[0] == 4  # created, changed, password changed, deleted
    connection.set_schema_to_public()


def test_the_page_goes_through_a_long_log_page_by_page_keeping_its_filters(acme, db, settings):
    for n in range(3):
        make_goal(acme)
    owner = Client(HTTP_HOST=acme.host)
    owner.post("/accounts/login/", {"username": acme.owner_email, "password": acme.password})
    with mock.patch("audit.views.PAGE_SIZE", 2):
        first = owner.get("/audit/", {"action": "goal.created"}).content.decode()
        second = owner.get("/audit/", {"action": "goal.created", "page": 2}).content.decode()
    assert "Page 1 of 2" in first and 'href="?action=goal.created&amp;page=2">Next</a>' in first
    assert "Page 2 of 2" in second and ">Previous</a>" in second and ">Next</a>" not in second
    assert first.count("Goal created") == 2 + 1 and second.count("Goal created") == 1 + 1  # + the filter's option
