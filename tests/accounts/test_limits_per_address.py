"""Per-address limits count the address a request really came from: the socket's, or
the one a trusted proxy of ours forwarded. A made-up X-Forwarded-For per request does
not escape them, and one address's failures never block another's."""

import random

import pytest
from django.test import Client, RequestFactory
from rest_framework.throttling import SimpleRateThrottle

from kpihub.client_address import client_address
from tests.conftest import host_client

PROXY = "192.0.2.10"  # a load balancer of ours, in the trusted network below


def fresh_address() -> str:
    """Throttle counters live in Redis and outlive a test: each test its own addresses."""
    return "10.%d.%d.%d" % tuple(random.randrange(1, 255) for _ in range(3))


@pytest.fixture
def tight_rates(monkeypatch):
    # DRF reads the rates into its base class when it is imported; every throttle inherits them.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES",
                        {"signup": "2/hour", "token": "2/minute", "login": "2/minute"})


@pytest.fixture
def behind_our_proxy(settings):
    settings.KPIHUB_TRUSTED_PROXIES = ["192.0.2.0/28", "2001:db8::/32"]


def token_attempt(acme, remote: str, forwarded: str | None = None, password: str = "wrong",
                  email: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return host_client(acme.host).post("/api/v1/auth/token/", {"email": email or acme.owner_email,
                                                               "password": password}, **extra)


def spray(acme, remote: str, forwarded=lambda: None) -> list[int]:
    """Three guesses at three accounts (so the lock-out per e-mail never starts)."""
    return [token_attempt(acme, remote, forwarded=forwarded(), email=f"guess{n}@acme.example").status_code
            for n in range(3)]


def login_attempt(host: str, remote: str, username: str, forwarded: str | None = None,
                  path: str = "/accounts/login/"):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return Client(HTTP_HOST=host).post(path, {"username": username, "password": "wrong"}, **extra)


# --- The token endpoint ------------------------------------------------------------

def test_a_new_x_forwarded_for_per_request_does_not_escape_the_token_throttle(acme, db, tight_rates):
    assert spray(acme, fresh_address(), forwarded=fresh_address) == [400, 400, 429]


def test_behind_a_trusted_proxy_the_forwarded_address_is_throttled(acme, db, tight_rates, behind_our_proxy):
    client, other = fresh_address(), fresh_address()
    # Whatever the client wrote left of its own address is ignored; the proxy appended the rest.
    assert spray(acme, PROXY, forwarded=lambda: f"{fresh_address()}, {client}") == [400, 400, 429]
    # Everyone else behind the same proxy is untouched.
    assert token_attempt(acme, PROXY, forwarded=other).status_code == 400


def test_one_addresss_throttled_attempts_do_not_block_another(acme, db, tight_rates):
    blocked, other = fresh_address(), fresh_address()
    assert spray(acme, blocked) == [400, 400, 429]
    assert token_attempt(acme, other, password=acme.password).status_code == 200


def test_the_lock_out_follows_the_forwarded_address_behind_a_trusted_proxy(acme, db, behind_our_proxy):
    attacker, owner = fresh_address(), fresh_address()
    for _ in range(3):  # AXES_FAILURE_LIMIT in test settings
        token_attempt(acme, PROXY, forwarded=attacker)
    assert token_attempt(acme, PROXY, forwarded=attacker, password=acme.password).status_code == 429
    # The real owner behind the same proxy, from their own address, still gets in.
    assert token_attempt(acme, PROXY, forwarded=owner, password=acme.password).status_code == 200


def test_an_untrusted_sender_cannot_pick_its_lock_out_address(acme, db):
    attacker = fresh_address()
    for _ in range(3):
        token_attempt(acme, attacker, forwarded=fresh_address())
    assert token_attempt(acme, attacker, forwarded=fresh_address(), password=acme.password).status_code == 429


# --- The log-in forms ---------------------------------------------------------------

def test_the_login_page_limits_attempts_per_address_across_accounts(acme, db, tight_rates):
    address = fresh_address()
    statuses = [login_attempt(acme.host, address, f"person{n}@acme.example", forwarded=fresh_address()).status_code
                for n in range(3)]
    assert statuses == [200, 200, 429]
    blocked = login_attempt(acme.host, address, "someone@acme.example")
    assert blocked.status_code == 429 and int(blocked["Retry-After"]) > 0
    assert b"from your address" in blocked.content
    # Another address logs in as usual.
    other = Client(HTTP_HOST=acme.host).post("/accounts/login/", {
        "username": acme.owner_email, "password": acme.password}, REMOTE_ADDR=fresh_address())
    assert other.status_code == 302


def test_the_login_page_limit_uses_the_forwarded_address_behind_a_trusted_proxy(acme, db, tight_rates,
                                                                                behind_our_proxy):
    client, other = fresh_address(), fresh_address()
    statuses = [login_attempt(acme.host, PROXY, f"p{n}@acme.example", forwarded=client).status_code
                for n in range(3)]
    assert statuses == [200, 200, 429]
    assert login_attempt(acme.host, PROXY, "p9@acme.example", forwarded=other).status_code == 200


def test_the_platform_admins_login_form_is_limited_per_address_too(db, tight_rates):
    address = fresh_address()
    statuses = [login_attempt("localhost", address, f"staff{n}", forwarded=fresh_address(),
                              path="/admin/login/").status_code for n in range(3)]
    assert statuses == [200, 200, 429]
    assert login_attempt("localhost", fresh_address(), "staff", path="/admin/login/").status_code == 200


# --- The rule itself ---------------------------------------------------------------

def address_of(remote: str, forwarded: str | None = None) -> str:
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **extra))


def test_without_trusted_proxies_the_header_is_never_believed(settings):
    settings.KPIHUB_TRUSTED_PROXIES = []
    assert address_of("203.0.113.5", "198.51.100.1") == "203.0.113.5"


def test_the_right_most_address_no_trusted_proxy_wrote_is_the_client(behind_our_proxy):
    assert address_of(PROXY, "1.1.1.1, 198.51.100.7") == "198.51.100.7"
    # Two of our proxies in a row: both skipped.
    assert address_of(PROXY, "1.1.1.1, 198.51.100.7, 192.0.2.11") == "198.51.100.7"
    assert address_of("2001:db8::1", "2001:db8::2, 2a00:1450::9, 2001:db8::3") == "2a00:1450::9"
    # A sender outside our proxies is the client, whatever it forwards.
    assert address_of("203.0.113.5", "198.51.100.7") == "203.0.113.5"


def test_a_proxy_without_a_usable_header_counts_as_itself(behind_our_proxy):
    assert address_of(PROXY) == PROXY
    assert address_of(PROXY, "") == PROXY
    assert address_of(PROXY, "198.51.100.7, not-an-address") == PROXY
    assert address_of(PROXY, "192.0.2.12") == "192.0.2.12"  # only our proxies: the left-most of them


def test_an_ipv4_client_on_an_ipv6_socket_is_the_same_client(settings):
    settings.KPIHUB_TRUSTED_PROXIES = []
    assert address_of("::ffff:203.0.113.5") == "203.0.113.5"
