"""Codes an authenticator app would show, computed from a device's key as the app does."""

from __future__ import annotations

import time
from datetime import timedelta

from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor


def next_code(device: TOTPDevice) -> str:
    """A code the device accepts now. A code is accepted once (the device keeps the last
    30-second step used) and one step either side of the clock counts, so a test that
    needs a second code in the same half-minute takes the next step's, as a phone whose
    clock runs a little fast would show it, instead of waiting."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    drift = device.drift
    for offset in range(-device.tolerance, device.tolerance + 1):
        totp.drift = drift + offset
        if totp.t() > device.last_t:
            return f"{totp.token():0{device.digits}d}"
    raise AssertionError("every code of this half-minute was used: a test asks for too many")


def let_time_pass(device) -> None:
    """As if the wait django-otp imposes after a wrong code were over."""
    type(device).objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(hours=1))


def turn_on_two_factor(user) -> tuple[TOTPDevice, list[str]]:
    """Two-factor on for the user, as the page does (inside their tenant's schema): the
    device and the recovery codes."""
    device = two_factor.start_enrolment(user=user).device
    enabled = two_factor.confirm_enrolment(user=user, code=next_code(device))
    return enabled.device, enabled.recovery_codes
