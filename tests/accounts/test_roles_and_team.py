"""Roles: owners and admins manage people; members read. Invitations set a password."""

import re

import pytest
from django.db import connection
from django.test import Client

from accounts.models import Invitation, Member
from accounts.services import add_member
from tests.conftest import host_client
from tests.support.smtp import html_of, text_of


@pytest.fixture
def acme_member(in_acme):
    user = add_member(email="mia@acme.example", password="member-pass-9876", role=Member.Role.MEMBER)
    connection.set_schema_to_public()
    return user


def logged_in(handle, email, password) -> Client:
    client = Client(HTTP_HOST=handle.host)
    assert client.post("/accounts/login/", {"username": email, "password": password}).status_code == 302
    return client


def test_owner_invites_a_teammate_who_sets_a_password_and_joins(acme, db, smtp_sink):
    owner = host_client(acme.host, acme.owner_token)
    response = owner.post("/api/v1/invitations/", {"email": "Ann@Acme.example", "role": "admin"})
    assert response.status_code == 201

    assert len(smtp_sink.messages) == 1
    message = smtp_sink.messages[0]
    assert message["To"] == "ann@acme.example"
    assert "Acme Analytics" in message["Subject"]
    assert "/accounts/invitation/" in html_of(message)
    link = re.search(r"http://acme\.localhost[^\s\"<]*/accounts/invitation/[\w-]+/", text_of(message)).group(0)
    path = link.split("acme.localhost", 1)[1]

    guest = Client(HTTP_HOST=acme.host)
    assert guest.get(path).status_code == 200
    joined = guest.post(path, {"name": "Ann", "password": "ann-secret-pass-42"})
    assert joined.status_code == 302
    me = guest.get("/api/v1/me/").json()
    assert (me["email"], me["role"]) == ("ann@acme.example", "admin")
    # The link works once.
    assert Client(HTTP_HOST=acme.host).get(path).status_code == 404


def test_invitation_link_is_useless_on_another_tenant(acme, globex, db):
    host_client(acme.host, acme.owner_token).post("/api/v1/invitations/", {"email": "x@acme.example"})
    connection.set_tenant(acme.tenant)
    token = Invitation.objects.get(email="x@acme.example").token
    connection.set_schema_to_public()
    assert Client(HTTP_HOST=globex.host).get(f"/accounts/invitation/{token}/").status_code == 404


def test_invitation_with_a_weak_password_is_refused(acme, db):
    host_client(acme.host, acme.owner_token).post("/api/v1/invitations/", {"email": "w@acme.example"})
    connection.set_tenant(acme.tenant)
    token = Invitation.objects.get(email="w@acme.example").token
    connection.set_schema_to_public()
    response = Client(HTTP_HOST=acme.host).post(f"/accounts/invitation/{token}/", {"password": "123"})
    assert response.status_code == 200
    assert b"too short" in response.content


def test_member_cannot_invite_or_change_roles(acme, acme_member, db):
    member = logged_in(acme, "mia@acme.example", "member-pass-9876")
    assert member.get("/team/").status_code == 200
    assert member.post("/team/invite/", {"email": "z@acme.example", "role": "member"}).status_code == 403
    connection.set_tenant(acme.tenant)
    owner_member = Member.objects.get(role="owner")
    connection.set_schema_to_public()
    assert member.post(f"/team/{owner_member.pk}/", {"action": "remove"}).status_code == 403

    api = host_client(acme.host)
    api.force_authenticate(user=None)
    token = api.post("/api/v1/auth/token/", {"email": "mia@acme.example",
                                              "password": "member-pass-9876"}).json()["token"]
    as_member = host_client(acme.host, token)
    assert as_member.get("/api/v1/me/").json()["role"] == "member"
    assert as_member.post("/api/v1/invitations/", {"email": "q@acme.example"}).status_code == 403


def test_admin_changes_a_role_and_removes_a_member_but_never_the_owner(acme, acme_member, db):
    owner = logged_in(acme, acme.owner_email, acme.password)
    connection.set_tenant(acme.tenant)
    mia = Member.objects.get(user__email="mia@acme.example")
    owner_member = Member.objects.get(role="owner")
    connection.set_schema_to_public()

    owner.post(f"/team/{mia.pk}/", {"role": "admin"})
    connection.set_tenant(acme.tenant)
    assert Member.objects.get(pk=mia.pk).role == "admin"
    connection.set_schema_to_public()

    owner.post(f"/team/{owner_member.pk}/", {"action": "remove"})
    owner.post(f"/team/{mia.pk}/", {"role": "owner"})
    connection.set_tenant(acme.tenant)
    assert Member.objects.filter(pk=owner_member.pk, role="owner").exists()
    assert Member.objects.get(pk=mia.pk).role == "admin"
    connection.set_schema_to_public()

    owner.post(f"/team/{mia.pk}/", {"action": "remove"})
    connection.set_tenant(acme.tenant)
    assert not Member.objects.filter(pk=mia.pk).exists()


def test_anonymous_visitor_is_sent_to_login(acme, db):
    response = Client(HTTP_HOST=acme.host).get("/team/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
