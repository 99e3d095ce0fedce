"""Two-factor authentication (TOTP) with django-otp: a person's authenticator app is a
``TOTPDevice``, their recovery codes a ``StaticDevice`` (each code works once). Both
live in the tenant's schema with the person.

Turning it on: ``start_enrolment`` (an unconfirmed device whose key the page shows as a
QR code), ``confirm_enrolment`` with a code from the app (the device is confirmed and the
recovery codes made, shown once). Signing in: the password first (views.LoginView), then
``check_code`` before the session is logged in. Turning it off takes a code too. An
owner can require it for the whole company (``set_required``): a member without it is
sent to set it up before anything else (middleware.TwoFactorMiddleware), and their API
tokens stop working until they have.

django-otp throttles each device (a growing wait after each wrong code) and remembers
the last time step used, so a code cannot be replayed; wrong codes at sign-in also count
towards django-axes' lock-out, as wrong passwords do."""

from __future__ import annotations

import base64
import math
import time
from dataclasses import dataclass
from io import BytesIO

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Member, SecurityPolicy
from accounts.roles import role_of

RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
WRONG_CODE = "That code is not right. Type the 6 digits your app shows now, or one of your recovery codes."


# --- Reading ------------------------------------------------------------------------

def is_enabled(user) -> bool:
    """The person has a confirmed authenticator app: every sign-in asks for a code."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_required() -> bool:
    """The company requires two-factor authentication of everyone."""
    return SecurityPolicy.current().require_two_factor


def user_ids_with_two_factor() -> set[int]:
    """Who in the company has two-factor on (the team page shows it)."""
    return set(TOTPDevice.objects.filter(confirmed=True).values_list("user_id", flat=True))


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def standing(user) -> tuple[bool, bool]:
    """(the person has two-factor on, the company requires it), in one query: every
    request of a session or token asks both."""
    policy = SecurityPolicy.objects.order_by("pk").values("require_two_factor")[:1]
    return get_user_model().objects.filter(pk=user.pk).annotate(
        enabled=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
        required=Coalesce(Subquery(policy), Value(False)),
    ).values_list("enabled", "required").get()


def must_enrol(user) -> bool:
    """The company requires two-factor and this person has not turned it on yet."""
    enabled, required = standing(user)
    return required and not enabled


# --- Turning it on and off -------------------------------------------------------------

@dataclass(frozen=True)
class Enrolment:
    """What the enrolment page shows: the QR code, the same key as text for typing in."""

    device: TOTPDevice
    config_url: str
    secret: str  # base32, in groups of four
    qr_code_data_uri: str


def start_enrolment(*, user) -> Enrolment:
    """An unconfirmed TOTP device for the person (the same one until they confirm it, so
    reloading the page keeps the QR code their app may already have scanned)."""
    if is_enabled(user):
        raise ValidationError("Two-factor authentication is already on.")
    device = (TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
              or TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False))
    secret = base64.b32encode(device.bin_key).decode()
    return Enrolment(device=device, config_url=device.config_url,
                     secret=" ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
                     qr_code_data_uri=_qr_code_data_uri(device.config_url))


def _qr_code_data_uri(text: str) -> str:
    """An SVG QR code as an <img> source (the CSP allows data: images, not inline SVG styles)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=8, border=2)
    buffer = BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@dataclass(frozen=True)
class Enabled:
    device: TOTPDevice
    recovery_codes: list[str]  # shown once, on the page that confirmed the device


def confirm_enrolment(*, user, code: str) -> Enabled:
    """Confirm the pending device with a code from the app; it comes back with the new
    recovery codes. The wrong code leaves the device pending (and throttled)."""
    with transaction.atomic():
        device = (TOTPDevice.objects.select_for_update()
                  .filter(user=user, confirmed=False).order_by("pk").first())
        if device is None:
            raise ValidationError("Start again: open the two-factor page to get a new QR code.")
        wait = _wait_after_failures(device)
        if wait:
            raise ValidationError(wait)
        verified = device.verify_token(normalise_code(code))  # records a failure as it fails
        if verified:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            codes = _new_recovery_codes(user)
    if not verified:
        raise ValidationError(WRONG_CODE)
    return Enabled(device=device, recovery_codes=codes)


def _new_recovery_codes(user) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME)
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def regenerate_recovery_codes(*, user, code: str) -> list[str]:
    """A new set of recovery codes (the old ones stop working), given a current code."""
    check_code(user=user, code=code)
    with transaction.atomic():
        return _new_recovery_codes(user)


def disable(*, user, code: str) -> None:
    """Turn two-factor off, given a current code (so a forgotten open session cannot)."""
    if is_required():
        raise ValidationError("Your company requires two-factor authentication; it cannot be turned off.")
    check_code(user=user, code=code)
    _remove_devices(user)


def _remove_devices(user) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def reset_for_member(*, member: Member, by) -> None:
    """An owner (or an admin, for members and admins) turns off a person's two-factor
    when they lost their phone and their recovery codes; they set it up again at their
    next sign-in if the company requires it."""
    by_role = role_of(by)
    if by_role not in (Member.Role.OWNER, Member.Role.ADMIN) or (
            member.role == Member.Role.OWNER and by_role != Member.Role.OWNER):
        raise PermissionDenied("Only the owner can reset the owner's two-factor; owners and admins others'.")
    _remove_devices(member.user)


def set_required(*, by, required: bool) -> SecurityPolicy:
    """The owner requires two-factor of everyone in the company (or stops requiring it).
    They must have it on themselves first, so requiring it can never lock them out."""
    if role_of(by) != Member.Role.OWNER:
        raise PermissionDenied("Only the company's owner can change this.")
    if required and not is_enabled(by):
        raise ValidationError("Turn on two-factor authentication for yourself first.")
    with transaction.atomic():
        policy = SecurityPolicy.objects.select_for_update().order_by("pk").first() or SecurityPolicy()
        policy.require_two_factor = required
        policy.changed_by, policy.changed_at = by, timezone.now()
        policy.save()
    return policy


# --- Codes ------------------------------------------------------------------------------

def normalise_code(code: str) -> str:
    """What people type: spaces and dashes dropped, recovery codes in any case."""
    return "".join(str(code or "").split()).replace("-", "").lower()[:32]


def check_code(*, user, code: str) -> Device:
    """The device that accepts the code: the app for six digits, else a recovery code
    (used up as it is accepted). A wrong code raises ValidationError and is recorded on
    the device, which then makes the next try wait (1, 2, 4 ... seconds), and says so."""
    code = normalise_code(code)
    model = TOTPDevice if code.isdigit() else StaticDevice
    wait = ""
    with transaction.atomic():
        for device in model.objects.select_for_update().filter(user=user, confirmed=True):
            wait = _wait_after_failures(device)
            if not wait and code and device.verify_token(code):
                return device
    raise ValidationError(wait or WRONG_CODE)


def _wait_after_failures(device: Device) -> str:
    """What to tell someone whose device still refuses codes after wrong ones ("" if it
    takes them): without it, the right code typed too soon would read as wrong."""
    allowed, why = device.verify_is_allowed()
    locked_until = (why or {}).get("locked_until")
    if allowed or locked_until is None:
        return ""
    seconds = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
    return (f"Too many wrong codes in a row: wait {seconds} second{'s' if seconds > 1 else ''}, "
            "then type the code your app shows.")


# --- Signing in in two steps ------------------------------------------------------------

PENDING_SESSION_KEY = "two_factor_pending"


@dataclass(frozen=True)
class PendingSignIn:
    """A password checked for someone with two-factor on, waiting for their code."""

    user: object
    backend: str
    next_url: str


def remember_password_step(request, *, user, next_url: str) -> None:
    """Kept in the (anonymous) session for TWO_FACTOR_PENDING_SECONDS; nobody is logged
    in until the code is given."""
    request.session.cycle_key()
    request.session[PENDING_SESSION_KEY] = {"user": user.pk, "backend": user.backend,
                                            "next": next_url, "at": time.time()}


def pending_sign_in(request) -> PendingSignIn | None:
    pending = request.session.get(PENDING_SESSION_KEY)
    if not isinstance(pending, dict):
        return None
    if time.time() - float(pending.get("at", 0)) > settings.TWO_FACTOR_PENDING_SECONDS:
        forget_pending(request)
        return None
    user = get_user_model()._default_manager.filter(pk=pending.get("user"), is_active=True).first()
    if user is None or pending.get("backend") not in settings.AUTHENTICATION_BACKENDS:
        forget_pending(request)
        return None
    return PendingSignIn(user=user, backend=pending["backend"], next_url=pending.get("next") or "")


def forget_pending(request) -> None:
    request.session.pop(PENDING_SESSION_KEY, None)


def finish_sign_in(request, *, pending: PendingSignIn, device: Device) -> None:
    """Log the person in (Django's login: user_logged_in is sent) and mark the session
    verified by the device that accepted the code."""
    forget_pending(request)
    login(request, pending.user, backend=pending.backend)
    django_otp.login(request, device)


def verify_session(request, *, device: Device) -> None:
    """The session that just turned two-factor on counts as verified."""
    django_otp.login(request, device)
