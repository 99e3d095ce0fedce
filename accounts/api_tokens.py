"""Named API tokens (``Authorization: Token <key>``): made, listed, revoked, checked.

A key is shown once, when it is made; only its SHA-256 is kept (``ApiToken.digest``),
so the key is looked up by hashing what a request sends. Keys are 256 random bits, so a
fast hash is as safe as a slow one here and costs nothing per request. Tokens live in
the tenant's schema like the people they belong to: a key means nothing on another
company's host."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import ApiToken

KEY_PREFIX = "kph_"  # recognisable in a leaked file or by a secret scanner
SHOWN_PREFIX_LENGTH = 8
MAX_NAMED_TOKENS = 100  # per person: a list someone can still read and prune
SIGN_IN_TOKENS_KEPT = 20  # per person: past that, a sign-in drops its least recently used one
LAST_USED_EVERY = timedelta(minutes=1)  # last_used_at is written at most this often


@dataclass(frozen=True)
class NewToken:
    """A token just made, with its key: the only time the key is known."""

    token: ApiToken
    key: str


def digest_of(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def tokens_of(user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def _make(*, user, name: str, read_only: bool, from_sign_in: bool) -> NewToken:
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, digest=digest_of(key),
                                    prefix=key[:SHOWN_PREFIX_LENGTH], read_only=read_only,
                                    from_sign_in=from_sign_in)
    return NewToken(token=token, key=key)


def create_token(*, user, name: str, read_only: bool = False) -> NewToken:
    """A token the person names (page or API), read-only or read-write."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ["Name the token after what will use it, e.g. “Nightly export”."]})
    if len(name) > ApiToken._meta.get_field("name").max_length:
        raise ValidationError({"name": ["Use at most 100 characters."]})
    if tokens_of(user).filter(from_sign_in=False).count() >= MAX_NAMED_TOKENS:
        raise ValidationError({"name": [f"You have {MAX_NAMED_TOKENS} tokens: revoke one you no longer use first."]})
    return _make(user=user, name=name, read_only=read_only, from_sign_in=False)


@transaction.atomic
def issue_sign_in_token(*, user, name: str = "", read_only: bool = False) -> NewToken:
    """The token POST /api/v1/auth/token/ (and sign-up) hands out: a new one each time,
    since a stored hash cannot give an earlier key back. A script that signs in on every
    run would pile them up, so past SIGN_IN_TOKENS_KEPT the least recently used sign-in
    token goes (tokens named on the page or by POST /tokens/ never do)."""
    name = (name or "").strip()[:100] or f"Sign-in on {timezone.now():%Y-%m-%d %H:%M} UTC"
    made = _make(user=user, name=name, read_only=read_only, from_sign_in=True)
    stale = (tokens_of(user).filter(from_sign_in=True)
             .order_by(Coalesce("last_used_at", "created_at").desc(), F("pk").desc())
             .values_list("pk", flat=True)[SIGN_IN_TOKENS_KEPT:])
    ApiToken.objects.filter(pk__in=list(stale)).delete()
    return made


def revoke_token(*, user, token_id: int) -> bool:
    """Delete one of the person's own tokens; False when they hold no such token."""
    deleted, _ = tokens_of(user).filter(pk=token_id).delete()
    return deleted > 0


def token_for_key(key: str) -> ApiToken | None:
    """The token a request's key names, with its person and role (one query), its
    last use stamped (at most once a minute); None for an unknown key."""
    if not key or len(key) > 200:
        return None
    token = (ApiToken.objects.select_related("user", "user__member")
             .filter(digest=digest_of(key)).first())
    if token is not None:
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
    return token
