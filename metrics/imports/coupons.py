"""The values of the coupons a Stripe subscriptions export names without their value:
the values sent with an import or a preview, the tenant's confirmed ones, the
preview's listing of the file's coupons, and remembering the values when an import
succeeds (docs/decisions.md, "Coupons"; the same pattern as accounts.py).

A value is ``{"<coupon id>": {"percent_off": 20}}`` or ``{"amount_off": "5.00"}``,
with ``"duration"`` forever (the default), once or repeating: only a forever coupon
lowers the amount (MRR). Values sent with an import are applied over the confirmed ones.
"""

from __future__ import annotations

import io
from collections import Counter
from decimal import Decimal, InvalidOperation
from typing import BinaryIO

from metrics.imports import sources
from metrics.imports.accounts import LISTING_ROWS, _Borrowed
from metrics.imports.json_input import json_object
from metrics.imports.reading import Table, normalise_header, open_table
from metrics.imports.sources import applying, stripe
from metrics.models import DataImport, StripeCoupon

COUPON_SOURCES = {stripe.STRIPE_SUBSCRIPTIONS.key}


class CouponProblem(ValueError):
    """Values that cannot be used; the message says why."""


def has_coupons(source: str) -> bool:
    return source in COUPON_SOURCES


_SHAPE = ('Coupons are a JSON object: {"<coupon id>": {"percent_off": 20}} or {"<coupon id>": '
          '{"amount_off": "5.00"}}, with "duration" one of forever (the default), once or repeating.')


def parse(raw, source: str) -> dict[str, dict]:
    """Values from the API (JSON text or an object); {} for none."""
    raw = json_object(raw, CouponProblem(_SHAPE))
    if raw is None:
        return {}
    if not has_coupons(source):
        raise CouponProblem("Coupon values are given for a Stripe subscriptions export; this file is not read "
                            "as one.")
    values = {}
    for coupon, value in raw.items():
        values[str(coupon).strip()] = _value(str(coupon), value)
    return values


def _value(coupon: str, value) -> dict:
    if not coupon.strip() or not isinstance(value, dict) or set(value) - {"percent_off", "amount_off", "duration"}:
        raise CouponProblem(f"“{coupon}”: {_SHAPE}")
    duration = value.get("duration") or stripe.FOREVER
    offs = [name for name in ("percent_off", "amount_off") if value.get(name) not in (None, "")]
    if len(offs) != 1 or duration not in stripe.DURATIONS:
        raise CouponProblem(f"“{coupon}”: give one of percent_off and amount_off. {_SHAPE}")
    try:
        number = Decimal(str(value[offs[0]]))
    except InvalidOperation:
        raise CouponProblem(f"“{coupon}”: {offs[0]} is not a number.") from None
    if not number.is_finite() or number < 0 or (offs[0] == "percent_off" and number > 100):
        raise CouponProblem(f"“{coupon}”: {offs[0]} is a number from 0{' to 100' * (offs[0] == 'percent_off')}.")
    written = format(number.normalize(), "f") if offs[0] == "percent_off" else str(number)
    return {offs[0]: written, "duration": duration}


def confirmed(source: str, given: dict[str, dict] | None = None) -> stripe.Coupons:
    """``given`` over the tenant's confirmed values for ``source``'s coupons."""
    saved = StripeCoupon.objects.filter(source=source).select_related("confirmed_by")
    return stripe.Coupons(given=dict(given or {}), confirmed={item.coupon: item.value for item in saved},
                          confirmed_how={item.coupon: _how(item) for item in saved})


def _how(saved: StripeCoupon) -> str:
    who = f" by {saved.confirmed_by.email}" if saved.confirmed_by_id and saved.confirmed_by.email else ""
    return f"confirmed{who} on {saved.updated_at:%Y-%m-%d}"


def meaningful(source: str, given: dict[str, dict]) -> dict[str, dict]:
    """The values that say something: not those equal to the coupon's confirmed value."""
    if not given:
        return {}
    values = confirmed(source)
    return {coupon: value for coupon, value in given.items() if values.confirmed.get(coupon) != value}


def apply(source: str, table: Table, coupons: stripe.Coupons | None) -> tuple[Table, list[str]]:
    """``table`` read as ``source``, its coupons taking ``coupons`` (when the source has coupons)."""
    if coupons is not None and has_coupons(source):
        return applying.apply(stripe.subscriptions_with(coupons), table)
    return sources.apply(source, table)


def for_import(record: DataImport) -> stripe.Coupons | None:
    """The values an import's task applies: those sent with it over the confirmed ones."""
    if not has_coupons(record.source):
        return None
    return confirmed(record.source, record.coupons)


def remember(record: DataImport, coupons: stripe.Coupons) -> None:
    """Called by the import's task when the import succeeded (inside its transaction):
    the values sent with it, for coupons the file has, become the tenant's confirmed
    values, applied at the next imports without asking again."""
    saved = {item.coupon: item for item in StripeCoupon.objects.filter(source=record.source)}
    for coupon, value in record.coupons.items():
        if coupon not in coupons.found:
            continue
        existing = saved.get(coupon)
        if existing is None:
            StripeCoupon.objects.create(source=record.source, coupon=coupon, value=value,
                                        confirmed_by=record.created_by)
        elif existing.value != value:
            existing.value, existing.confirmed_by = value, record.created_by
            existing.save(update_fields=["value", "confirmed_by", "updated_at"])


def listing(file: BinaryIO, *, name: str, coupons: stripe.Coupons) -> tuple[list[dict], list[str]]:
    """The export's coupons as the preview lists them (each with its subscriptions, the
    value it will get and where that comes from), and the notes on the listing. Up to
    ``LISTING_ROWS`` rows of the whole file are read: a coupon is valued once."""
    file.seek(0)
    found: Counter = Counter()
    complete = True
    try:
        table = open_table(io.BufferedReader(_Borrowed(file)), name=name)
        position = {normalise_header(cell): index for index, cell in enumerate(table.header)}.get("coupon")
        if position is not None:
            for read, (_, cells) in enumerate(table.rows):
                if read >= LISTING_ROWS:
                    complete = False
                    break
                if position < len(cells) and cells[position].strip():
                    found[cells[position].strip()] += 1
    finally:
        file.seek(0)
    items = []
    for coupon, n in found.items():
        value, how = coupons.value(coupon)
        items.append({"coupon": coupon, "subscriptions": n, "value": value, "from": how,
                      "confirmed": coupons.confirmed_how.get(coupon, "")})
    notes = [] if complete else [(
        f"The coupons are listed from the file's first {LISTING_ROWS:,} rows (it has more): a coupon found "
        f"only further down gets its confirmed value, or none.")]
    return items, notes
