"""The values of the coupons a Stripe subscriptions export names without their value,
settled once per tenant (settled.py; docs/decisions.md, "Coupons").

A value is ``{"<coupon id>": {"percent_off": 20}}`` or ``{"amount_off": "5.00"}``,
with ``"duration"`` forever (the default), once or repeating: only a forever coupon
lowers the amount (MRR). Values sent with an import are applied over the confirmed ones.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal, InvalidOperation
from typing import BinaryIO

from metrics.imports import settled
from metrics.imports.reading import Table, normalise_header
from metrics.imports.sources import stripe
from metrics.models import StripeCoupon

_SHAPE = ('Coupons are a JSON object: {"<coupon id>": {"percent_off": 20}} or {"<coupon id>": '
          '{"amount_off": "5.00"}}, with "duration" one of forever (the default), once or repeating.')


def _check(coupon: str, value) -> dict:
    if not isinstance(value, dict) or set(value) - {"percent_off", "amount_off", "duration"}:
        raise settled.SettleProblem(f"“{coupon}”: {_SHAPE}")
    duration = value.get("duration") or stripe.FOREVER
    offs = [name for name in ("percent_off", "amount_off") if value.get(name) not in (None, "")]
    if len(offs) != 1 or duration not in stripe.DURATIONS:
        raise settled.SettleProblem(f"“{coupon}”: give one of percent_off and amount_off. {_SHAPE}")
    try:
        number = Decimal(str(value[offs[0]]))
    except InvalidOperation:
        raise settled.SettleProblem(f"“{coupon}”: {offs[0]} is not a number.") from None
    if not number.is_finite() or number < 0 or (offs[0] == "percent_off" and number > 100):
        raise settled.SettleProblem(
            f"“{coupon}”: {offs[0]} is a number from 0{' to 100' * (offs[0] == 'percent_off')}.")
    written = format(number.normalize(), "f") if offs[0] == "percent_off" else str(number)
    return {offs[0]: written, "duration": duration}


def _current(coupons: stripe.Coupons, coupon: str) -> tuple[dict | None, bool]:
    value, how = coupons.value(coupon)
    return value, how != "unknown"


VALUES = settled.Family(
    sources=frozenset({stripe.STRIPE_SUBSCRIPTIONS.key}), model=StripeCoupon,
    name_field="coupon", value_field="value", record_field="coupons",
    known=stripe.Coupons, reader=stripe.subscriptions_with, current=_current, check=_check, shape=_SHAPE,
    other_source="Coupon values are given for a Stripe subscriptions export; this file is not read as one.")


def _coupons_in(table: Table, limit: int) -> tuple[Counter, bool]:
    """The subscriptions per coupon in the export's first ``limit`` rows, and whether
    that was the whole export."""
    found: Counter = Counter()
    position = {normalise_header(cell): index for index, cell in enumerate(table.header)}.get("coupon")
    if position is None:
        return found, True
    for read, (_, cells) in enumerate(table.rows):
        if read >= limit:
            return found, False
        if position < len(cells) and cells[position].strip():
            found[cells[position].strip()] += 1
    return found, True


def listing(file: BinaryIO, *, name: str, coupons: stripe.Coupons) -> tuple[list[dict], list[str]]:
    """The export's coupons as the preview lists them (each with its subscriptions, the
    value it will get and where that comes from), and the notes on the listing."""
    found, complete = settled.scan(file, name=name, count=_coupons_in)
    items = []
    for coupon, n in found.items():
        value, how = coupons.value(coupon)
        items.append({"coupon": coupon, "subscriptions": n, "value": value, "from": how,
                      "confirmed": coupons.confirmed_how.get(coupon, "")})
    notes = [] if complete else [(
        f"The coupons are listed from the file's first {settled.LISTING_ROWS:,} rows (it has more): a coupon "
        f"found only further down gets its confirmed value, or none.")]
    return items, notes
