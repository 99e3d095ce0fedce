"""Two-factor authentication: turned on (QR code, a code, recovery codes once), asked at
every sign-in after the password (pages and the token endpoint), turned off with a code,
and required of everyone by the company's owner."""

from __future__ import annotations

import pytest
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.models import Invitation, Member
from accounts.services import add_member, issue_token
from tests.accounts.two_factor_support import let_time_pass, next_code, turn_on_two_factor
from tests.conftest import host_client

PASSWORD = "member-pass-9876"


@pytest.fixture
def ann(in_acme):
    """An admin of acme, with two-factor off; the connection back on public."""
    user = add_member(email="ann@acme.example", password=PASSWORD, role=Member.Role.ADMIN)
    connection.set_schema_to_public()
    return user


def logged_in(host: str, email: str, password: str = PASSWORD) -> Client:
    client = Client(HTTP_HOST=host)
    response = client.post("/accounts/login/", {"username": email, "password": password})
    assert response.status_code == 302 and response["Location"] == "/", response.content[:300]
    return client


def in_tenant(handle, function, *args, **kwargs):
    connection.set_tenant(handle.tenant)
    try:
        return function(*args, **kwargs)
    finally:
        connection.set_schema_to_public()


@pytest.fixture
def signals():
    """The sign-in signals sent (the audit log and django-axes listen to them)."""
    sent = []

    def failed(sender, credentials, request=None, **kwargs):
        sent.append(("failed", credentials.get("username")))

    def logged(sender, request, user, **kwargs):
        sent.append(("logged_in", user.username))

    user_login_failed.connect(failed)
    user_logged_in.connect(logged)
    yield sent
    user_login_failed.disconnect(failed)
    user_logged_in.disconnect(logged)


def test_turning_on_shows_a_qr_code_then_the_recovery_codes_once(acme, ann):
    client = logged_in(acme.host, ann.email)
    page = client.get("/accounts/security/two-factor/")
    assert page.status_code == 200
    assert b'src="data:image/svg+xml;base64,' in page.content
    device = in_tenant(acme, TOTPDevice.objects.get, user=ann)
    assert not device.confirmed
    assert "issuer=KPI%20Hub%20Acme%20Analytics" in page.context["enrolment"].config_url
    secret = page.context["enrolment"].secret.replace(" ", "")
    assert secret.encode() in page.content.replace(b" ", b"")
    assert client.get("/accounts/security/two-factor/").context["enrolment"].device.pk == device.pk  # same QR

    wrong = client.post("/accounts/security/two-factor/", {"code": "000000"})
    assert wrong.status_code == 400 and b"not right" in wrong.content
    assert not in_tenant(acme, two_factor.is_enabled, ann)
    throttled = client.post("/accounts/security/two-factor/", {"code": in_tenant(acme, next_code, device)})
    assert throttled.status_code == 400 and b"wait 1 second" in throttled.content
    in_tenant(acme, let_time_pass, device)

    done = client.post("/accounts/security/two-factor/", {"code": in_tenant(acme, next_code, device)})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == two_factor.RECOVERY_CODE_COUNT
    assert all(code.encode() in done.content for code in codes)
    assert in_tenant(acme, two_factor.is_enabled, ann)
    security = client.get("/accounts/security/")  # this session gave a code: still in
    assert security.status_code == 200 and b"On" in security.content
    assert not any(code.encode() in security.content for code in codes)  # shown once
    assert client.get("/accounts/security/two-factor/").status_code == 302


def test_login_asks_for_the_code_after_the_password(acme, ann, signals):
    device, _ = in_tenant(acme, turn_on_two_factor, ann)
    client = Client(HTTP_HOST=acme.host)
    step = client.post("/accounts/login/?next=/goals/", {"username": ann.email, "password": PASSWORD,
                                                         "next": "/goals/"})
    assert step.status_code == 302 and step["Location"] == "/accounts/login/code/"
    assert client.get("/").status_code == 302  # not logged in yet
    assert client.get("/api/v1/me/").status_code in (401, 403)
    assert signals == []

    wrong = client.post("/accounts/login/code/", {"code": "123456"})
    assert wrong.status_code == 200 and b"not right" in wrong.content
    assert signals == [("failed", ann.email)]
    in_tenant(acme, let_time_pass, device)

    right = client.post("/accounts/login/code/", {"code": in_tenant(acme, next_code, device)})
    assert right.status_code == 302 and right["Location"] == "/goals/"
    assert signals[-1] == ("logged_in", ann.email)
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/me/").json()["email"] == ann.email


def test_a_code_is_accepted_once(acme, ann):
    device, _ = in_tenant(acme, turn_on_two_factor, ann)
    code = in_tenant(acme, next_code, device)
    first = Client(HTTP_HOST=acme.host)
    first.post("/accounts/login/", {"username": ann.email, "password": PASSWORD})
    assert first.post("/accounts/login/code/", {"code": code}).status_code == 302
    replay = Client(HTTP_HOST=acme.host)
    replay.post("/accounts/login/", {"username": ann.email, "password": PASSWORD})
    assert replay.post("/accounts/login/code/", {"code": code}).status_code == 200
    assert replay.get("/").status_code == 302


def test_a_recovery_code_logs_in_once(acme, ann):
    _, codes = in_tenant(acme, turn_on_two_factor, ann)
    for expected in (302, 200):
        client = Client(HTTP_HOST=acme.host)
        client.post("/accounts/login/", {"username": ann.email, "password": PASSWORD})
        assert client.post("/accounts/login/code/", {"code": codes[0].upper()}).status_code == expected
    assert in_tenant(acme, two_factor.recovery_codes_left, ann) == two_factor.RECOVERY_CODE_COUNT - 1


def test_wrong_codes_lock_the_sign_in_like_wrong_passwords(acme, ann):
    in_tenant(acme, turn_on_two_factor, ann)
    client = Client(HTTP_HOST=acme.host)
    client.post("/accounts/login/", {"username": ann.email, "password": PASSWORD})
    answers = [client.post("/accounts/login/code/", {"code": f"00000{i}"}).status_code for i in range(4)]
    assert answers[-1] == 429  # AXES_FAILURE_LIMIT is 3 in the test settings
    again = Client(HTTP_HOST=acme.host)
    assert again.post("/accounts/login/", {"username": ann.email, "password": PASSWORD}).status_code == 429


def test_the_code_step_expires_and_needs_a_password_first(acme, ann, settings):
    in_tenant(acme, turn_on_two_factor, ann)
    client = Client(HTTP_HOST=acme.host)
    assert client.get("/accounts/login/code/")["Location"] == "/accounts/login/"
    client.post("/accounts/login/", {"username": ann.email, "password": PASSWORD})
    settings.TWO_FACTOR_PENDING_SECONDS = 0
    assert client.post("/accounts/login/code/", {"code": "123456"})["Location"] == "/accounts/login/"


def test_the_code_step_of_one_company_means_nothing_on_another(acme, globex, ann):
    in_tenant(acme, turn_on_two_factor, ann)
    client = Client(HTTP_HOST=acme.host)
    client.post("/accounts/login/", {"username": ann.email, "password": PASSWORD})
    intruder = Client(HTTP_HOST=globex.host)
    intruder.cookies["sessionid"] = client.cookies["sessionid"].value
    assert intruder.post("/accounts/login/code/", {"code": "123456"})["Location"] == "/accounts/login/"


def test_turning_off_needs_a_current_code(acme, ann):
    device, _ = in_tenant(acme, turn_on_two_factor, ann)
    client = Client(HTTP_HOST=acme.host)
    client.post("/accounts/login/", {"username": ann.email, "password": PASSWORD})
    client.post("/accounts/login/code/", {"code": in_tenant(acme, next_code, device)})
    client.post("/accounts/security/two-factor/off/", {"code": "999999"})
    assert in_tenant(acme, two_factor.is_enabled, ann)
    client.post("/accounts/security/two-factor/off/", {"code": ""})
    assert in_tenant(acme, two_factor.is_enabled, ann)
    in_tenant(acme, let_time_pass, device)
    assert client.post("/accounts/security/two-factor/off/", {"code": in_tenant(acme, next_code, device)}
                       ).status_code == 302
    assert not in_tenant(acme, two_factor.is_enabled, ann)
    assert in_tenant(acme, StaticToken.objects.filter(device__user=ann).count) == 0
    assert logged_in(acme.host, ann.email).get("/").status_code == 200  # the password alone again


def test_new_recovery_codes_replace_the_old_ones(acme, ann):
    device, old_codes = in_tenant(acme, turn_on_two_factor, ann)
    client = Client(HTTP_HOST=acme.host)
    client.post("/accounts/login/", {"username": ann.email, "password": PASSWORD})
    client.post("/accounts/login/code/", {"code": old_codes[0]})
    page = client.post("/accounts/security/two-factor/recovery-codes/", {"code": old_codes[1]})
    new_codes = page.context["codes"]
    assert set(new_codes).isdisjoint(old_codes)
    with pytest.raises(ValidationError):
        in_tenant(acme, two_factor.check_code, user=ann, code=old_codes[2])
    in_tenant(acme, let_time_pass, in_tenant(acme, StaticDevice.objects.get, user=ann))
    assert in_tenant(acme, two_factor.check_code, user=ann, code=new_codes[0]).name == "Recovery codes"


def test_a_session_from_before_two_factor_was_turned_on_must_log_in_again(acme, ann):
    old_session = logged_in(acme.host, ann.email)
    in_tenant(acme, turn_on_two_factor, ann)
    response = old_session.get("/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert old_session.get("/").status_code == 302


def test_the_token_endpoint_needs_the_code_of_a_two_factor_account(acme, ann, acme_client, signals):
    device, codes = in_tenant(acme, turn_on_two_factor, ann)
    body = {"email": ann.email, "password": PASSWORD}
    missing = acme_client.post("/api/v1/auth/token/", body)
    assert missing.status_code == 400 and "otp" in missing.json()
    wrong = acme_client.post("/api/v1/auth/token/", {**body, "otp": "000000"})
    assert wrong.status_code == 400 and "otp" in wrong.json()
    assert ("failed", ann.email) in signals
    in_tenant(acme, let_time_pass, device)
    right = acme_client.post("/api/v1/auth/token/", {**body, "otp": in_tenant(acme, next_code, device)})
    assert right.status_code == 200
    assert signals[-1] == ("logged_in", ann.email)
    assert host_client(acme.host, right.json()["token"]).get("/api/v1/me/").status_code == 200
    recovered = acme_client.post("/api/v1/auth/token/", {**body, "otp": codes[3]})
    assert recovered.status_code == 200
    assert acme_client.post("/api/v1/auth/token/", {**body, "otp": codes[3]}).status_code == 400


def test_wrong_codes_at_the_token_endpoint_lock_it(acme, ann, acme_client):
    device, _ = in_tenant(acme, turn_on_two_factor, ann)
    body = {"email": ann.email, "password": PASSWORD}
    answers = [acme_client.post("/api/v1/auth/token/", {**body, "otp": f"00000{i}"}).status_code
               for i in range(3)]
    assert answers[-1] == 429
    assert acme_client.post("/api/v1/auth/token/", {**body, "otp": in_tenant(acme, next_code, device)}
                            ).status_code == 429


def test_the_owner_requires_two_factor_and_everyone_else_is_sent_to_set_it_up(acme, ann, acme_owner):
    connection.set_tenant(acme.tenant)
    owner = Member.objects.get(role=Member.Role.OWNER).user
    ann_token = issue_token(ann)
    connection.set_schema_to_public()
    ann_page = logged_in(acme.host, ann.email)

    refused = acme_owner.patch("/api/v1/security/two-factor/", {"require_two_factor": True}, format="json")
    assert refused.status_code == 400 and "yourself first" in str(refused.json())
    assert host_client(acme.host, ann_token).patch("/api/v1/security/two-factor/", {"require_two_factor": True},
                                                   format="json").status_code == 403  # admins cannot
    in_tenant(acme, turn_on_two_factor, owner)
    required = acme_owner.patch("/api/v1/security/two-factor/", {"require_two_factor": True}, format="json")
    assert required.json() == {"require_two_factor": True, "enabled": True, "recovery_codes_left": 10}

    # Ann, without two-factor: every page sends her to set it up; her API token stops working.
    for path in ("/", "/goals/", "/accounts/security/", "/team/"):
        response = ann_page.get(path)
        assert response.status_code == 302 and response["Location"] == "/accounts/security/two-factor/"
    assert ann_page.get("/api/v1/me/").status_code == 403
    ann_api = host_client(acme.host, ann_token)
    assert ann_api.get("/api/v1/me/").status_code == 403
    assert "two-factor" in ann_api.get("/api/v1/me/").json()["detail"]
    assert host_client(acme.host).post("/api/v1/auth/token/", {"email": ann.email, "password": PASSWORD}
                                       ).status_code == 403
    enrol = ann_page.get("/accounts/security/two-factor/")
    assert enrol.status_code == 200 and b"requires two-factor" in enrol.content

    device = enrol.context["enrolment"].device
    assert ann_page.post("/accounts/security/two-factor/", {"code": in_tenant(acme, next_code, device)}).status_code == 200
    assert ann_page.get("/").status_code == 200
    assert ann_api.get("/api/v1/me/").status_code == 200
    # Required: it cannot be turned off.
    ann_page.post("/accounts/security/two-factor/off/", {"code": in_tenant(acme, next_code, device)})
    assert in_tenant(acme, two_factor.is_enabled, ann)
    # Only acme requires it.
    assert host_client("globex.localhost").post("/api/v1/auth/token/", {
        "email": "owner@globex.example", "password": acme.password}).status_code == 200


def test_the_owner_changes_the_requirement_on_the_security_page(acme, db):
    connection.set_tenant(acme.tenant)
    owner = Member.objects.get(role=Member.Role.OWNER).user
    device, _ = turn_on_two_factor(owner)
    connection.set_schema_to_public()
    page = Client(HTTP_HOST=acme.host)
    page.post("/accounts/login/", {"username": acme.owner_email, "password": acme.password})
    page.post("/accounts/login/code/", {"code": in_tenant(acme, next_code, device)})
    assert b"Require two-factor" in page.get("/accounts/security/").content
    page.post("/accounts/security/policy/", {"require_two_factor": "on"})
    assert in_tenant(acme, two_factor.is_required)
    page.post("/accounts/security/policy/", {})
    assert not in_tenant(acme, two_factor.is_required)


def test_only_the_owner_sees_and_changes_the_requirement(acme, ann):
    device, _ = in_tenant(acme, turn_on_two_factor, ann)
    admin_page = Client(HTTP_HOST=acme.host)
    admin_page.post("/accounts/login/", {"username": ann.email, "password": PASSWORD})
    admin_page.post("/accounts/login/code/", {"code": in_tenant(acme, next_code, device)})
    security = admin_page.get("/accounts/security/")
    assert security.status_code == 200 and b"Require two-factor" not in security.content
    admin_page.post("/accounts/security/policy/", {"require_two_factor": "on"})
    assert not in_tenant(acme, two_factor.is_required)
    connection.set_tenant(acme.tenant)
    with pytest.raises(Exception, match="owner"):
        two_factor.set_required(by=ann, required=True)
    connection.set_schema_to_public()


def test_an_owner_resets_a_member_who_lost_their_phone_and_codes(in_acme, ann):
    connection.set_tenant(in_acme.tenant)
    owner = Member.objects.get(role=Member.Role.OWNER).user
    turn_on_two_factor(ann)
    two_factor.reset_for_member(member=ann.member, by=owner)
    assert not two_factor.is_enabled(ann)
    turn_on_two_factor(owner)
    with pytest.raises(Exception, match="owner"):
        two_factor.reset_for_member(member=owner.member, by=ann)
    assert two_factor.is_enabled(owner)


@pytest.mark.parametrize("code", ["", " ", "\x00", "1" * 500, "abc\x00def", "１２３４５６"])
def test_bad_codes_are_a_clear_answer_never_a_500(acme, ann, acme_client, code):
    in_tenant(acme, turn_on_two_factor, ann)
    api = acme_client.post("/api/v1/auth/token/", {"email": ann.email, "password": PASSWORD, "otp": code})
    assert api.status_code == 400
    client = Client(HTTP_HOST=acme.host)
    client.post("/accounts/login/", {"username": ann.email, "password": PASSWORD})
    assert client.post("/accounts/login/code/", {"code": code}).status_code in (200, 429)


def test_the_team_page_shows_who_has_two_factor_and_an_admin_resets_it(acme, ann):
    connection.set_tenant(acme.tenant)
    mia = add_member(email="mia@acme.example", password=PASSWORD, role=Member.Role.MEMBER)
    turn_on_two_factor(mia)
    ann_device, _ = turn_on_two_factor(ann)
    connection.set_schema_to_public()
    page = Client(HTTP_HOST=acme.host)
    page.post("/accounts/login/", {"username": ann.email, "password": PASSWORD})
    page.post("/accounts/login/code/", {"code": in_tenant(acme, next_code, ann_device)})
    team = page.get("/team/")
    assert team.context["with_two_factor"] == {mia.pk, ann.pk}
    assert b"Reset two-factor<span class=\"visually-hidden\"> of mia@acme.example" in team.content
    page.post(f"/team/{mia.member.pk}/", {"action": "reset-two-factor"})
    assert not in_tenant(acme, two_factor.is_enabled, mia)
    logged_in(acme.host, mia.email)  # the password alone again


def test_the_platform_admin_lists_no_two_factor_devices_of_any_company(db):
    """Devices live in the companies' schemas; the platform admin (public host) has none."""
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("root", "root@localhost", "platform-pass-123!")
    staff = Client(HTTP_HOST="localhost")
    staff.post("/admin/login/?next=/admin/", {"username": "root", "password": "platform-pass-123!"})
    index = staff.get("/admin/")
    assert index.status_code == 200
    assert b"TOTP" not in index.content and b"Static device" not in index.content
    assert staff.get("/admin/otp_totp/totpdevice/").status_code == 404


def test_someone_invited_into_a_company_that_requires_two_factor_sets_it_up_first(acme, db):
    connection.set_tenant(acme.tenant)
    owner = Member.objects.get(role=Member.Role.OWNER).user
    turn_on_two_factor(owner)
    two_factor.set_required(by=owner, required=True)
    invitation = Invitation.objects.create(email="new@acme.example", role=Member.Role.MEMBER, invited_by=owner)
    connection.set_schema_to_public()
    newcomer = Client(HTTP_HOST=acme.host)
    joined = newcomer.post(f"/accounts/invitation/{invitation.token}/", {"name": "New", "password": PASSWORD})
    assert joined.status_code == 302
    assert newcomer.get(joined["Location"])["Location"] == "/accounts/security/two-factor/"
    assert newcomer.get("/accounts/security/two-factor/").status_code == 200
