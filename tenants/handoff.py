"""The sign-up hand-off: after sign-up on the public site, the new owner is logged in
on their own host. The session belongs to the tenant's own schema and host, so the
public site hands over a short-lived, signed link, bound to that tenant's schema and
usable once; the tenant host redeems it."""

from __future__ import annotations

from django.core import signing
from django.core.cache import cache

SALT = "kpihub.signup-handoff"
MAX_AGE = 120  # seconds
USED_FOR = 600  # seconds a redeemed token is remembered; longer than MAX_AGE


class HandoffRefused(Exception):
    """The token is forged, expired, meant for another tenant or already used."""


def handoff_token(user_id: int, schema: str) -> str:
    return signing.dumps({"u": user_id, "s": schema}, salt=SALT)


def redeem_handoff(token: str, *, schema: str) -> int:
    """The user the token logs in on ``schema``'s host; raises HandoffRefused. A token
    refused because it names another tenant is not used up."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature as error:
        raise HandoffRefused("forged or expired") from error
    if data.get("s") != schema:
        raise HandoffRefused("meant for another tenant")
    if not cache.add(f"handoff:{token[-40:]}", 1, USED_FOR):
        raise HandoffRefused("already used")
    return data["u"]
