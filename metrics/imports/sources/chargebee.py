"""Chargebee: the subscriptions export (``Subscriptions.csv`` in the export's zip), as
subscriptions (docs/sources.md).

The export names its columns ``<resource>.<field>`` after the API's fields
(``subscriptions.plan_unit_price``, ``customers.id``); amounts are in currency units
(the API's are in cents). A subscription's add-ons, coupons and discounts are in other
files of the same zip (``SubscriptionAddons.csv``, ``SubscriptionCoupons.csv``), so
this file gives the plan's price only, which the notes say.

Chargebee's statuses carry meaning the kind's columns do not: ``future`` has not
started, ``in_trial`` pays from its trial end, ``non_renewing`` ends at its
``cancelled_at`` (the scheduled cancellation), ``paused`` bills nothing from its pause
date, ``cancelled`` ended at ``cancelled_at``.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from metrics.imports.sources.declaring import Doc, Drop, Row, Source, Take
from metrics.imports.sources.values import date_of, later_date, money_text, number, whole

SUBSCRIPTION_OBJECT = Doc("https://apidocs.chargebee.com/docs/api/subscriptions/subscription-object",
                          "Subscriptions: the subscription object (Chargebee API reference)",
                          "the fields the export's columns are named after: id, customer_id, plan_id, "
                          "plan_quantity, plan_unit_price, currency_code, billing_period, billing_period_unit "
                          "(day, week, month, year), status (future, in_trial, active, non_renewing, "
                          "paused, cancelled), start_date, trial_end, started_at, activated_at, "
                          "cancelled_at, pause_date, resume_date")
DATA_CATALOG = Doc("https://datacatalog.chargebee.com/subscriptions",
                   "Subscriptions (Chargebee data catalog)",
                   "activated_at is when the status last changed to active; cancelled_at is when the "
                   "subscription was cancelled or is set to be cancelled")
EXPORTS = Doc("https://apidocs.chargebee.com/docs/api/exports", "Exports (Chargebee API reference)",
              "an export of subscriptions is a zip of CSV files")

# billing_period_unit -> the kind's interval when billing_period is 1.
UNIT = {"week": "week", "month": "month", "year": "year"}
# Months in one unit, to read a period the kind has no interval for as a monthly amount.
MONTHS = {"month": Decimal(1), "year": Decimal(12), "week": Decimal(12) / Decimal(52),
          "day": Decimal(12) / Decimal(365)}

PRICE = ("subscriptions.plan_unit_price", "subscriptions.plan_unit_price_in_decimal")


def _status(row: Row) -> str:
    return row.get("subscriptions.status").lower().replace(" ", "_")


def _period(row: Row) -> tuple[int, str]:
    """(billing_period, billing_period_unit); (1, "month") when the file has neither."""
    unit = row.get("subscriptions.billing_period_unit").lower()
    if not unit:
        return 1, "month"
    count = number(row.get("subscriptions.billing_period"))
    return (int(count) if count else 1), unit


def _interval(row: Row) -> str:
    if not row.get("subscriptions.billing_period_unit"):
        row.count("no period")
    count, unit = _period(row)
    if count == 1 and unit in UNIT:
        return UNIT[unit]
    if (count, unit) == (3, "month"):
        return "quarter"
    if (count, unit) == (12, "month"):
        return "year"
    return "month"


def _amount(row: Row) -> str:
    """The plan's price per billing period; a period the kind has no interval for
    (6 months, 2 years, 30 days) as its monthly share."""
    price = row.get(*PRICE)
    count, unit = _period(row)
    if (count == 1 and unit in UNIT) or (count, unit) in ((3, "month"), (12, "month")):
        return price
    value = number(price)
    if value is None or unit not in MONTHS:
        return price
    row.count("derived", "amount")
    return money_text(value / (MONTHS[unit] * count))


def _started(row: Row) -> str:
    return date_of(row.get("subscriptions.started_at") or row.get("subscriptions.start_date")
                   or row.get("subscriptions.created_at"))


def _start(row: Row) -> str:
    """The first day it pays: its start, or its trial end when later."""
    start = _started(row)
    trial_end = date_of(row.get("subscriptions.trial_end"))
    if trial_end and later_date(start, trial_end):
        row.count("derived", "start_date")
        return trial_end
    return start


def _end(row: Row) -> str:
    status = _status(row)
    if status == "paused":
        row.count("paused")
        return date_of(row.get("subscriptions.pause_date"))
    if status in ("cancelled", "non_renewing"):
        if status == "non_renewing":
            row.count("non renewing")
        return date_of(row.get("subscriptions.cancelled_at"))
    return ""


def _cancelled_in_trial(row: Row) -> bool:
    if _status(row) != "cancelled":
        return False
    trial_end = date_of(row.get("subscriptions.trial_end"))
    cancelled = date_of(row.get("subscriptions.cancelled_at"))
    return bool(trial_end and cancelled) and not later_date(trial_end, cancelled)


def _remarks(counts: Counter) -> list[str]:
    notes = []
    if counts[("non renewing",)]:
        n = counts[("non renewing",)]
        notes.append(f"{n:,} non_renewing subscription{'s end' if n > 1 else ' ends'} at the cancellation "
                     f"Chargebee has scheduled (cancelled_at): active until then.")
    if counts[("paused",)]:
        n = counts[("paused",)]
        notes.append(f"{n:,} paused subscription{'s count' if n > 1 else ' counts'} as ended at the pause date "
                     f"(a paused subscription bills nothing); when it resumes, import the new export and it "
                     f"is active again, from its first start.")
    if counts[("no period",)]:
        notes.append("The file has no subscriptions.billing_period_unit column: every subscription was read as "
                     "monthly.")
    notes.append("Add-ons, coupons and discounts are in other files of Chargebee's export "
                 "(SubscriptionAddons.csv, SubscriptionCoupons.csv): amount is the plan's unit price only.")
    return notes


CHARGEBEE_SUBSCRIPTIONS = Source(
    key="chargebee_subscriptions", name="Chargebee subscriptions export", vendor="Chargebee",
    kind="subscriptions",
    documentation=(SUBSCRIPTION_OBJECT, DATA_CATALOG, EXPORTS),
    recognise=("subscriptions.id", "subscriptions.status", "subscriptions.plan_id",
               ("customers.id", "subscriptions.customer_id")),
    takes=(
        Take("subscription_id", "subscriptions.id", lambda row: row.get("subscriptions.id")),
        Take("customer_id", "customers.id", lambda row: row.get("customers.id", "subscriptions.customer_id")),
        Take("plan", "subscriptions.plan_id", lambda row: row.get("subscriptions.plan_id")),
        Take("amount", "subscriptions.plan_unit_price (currency units); a billing period the kind has no "
             "interval for (6 months, 2 years) as its monthly share", _amount, derived=True),
        Take("currency", "subscriptions.currency_code", lambda row: row.get("subscriptions.currency_code").upper()),
        Take("interval", "subscriptions.billing_period and billing_period_unit: 1 week, 1 month, 3 months "
             "(quarter), 1 year or 12 months (year); any other period as month", _interval),
        Take("quantity", "subscriptions.plan_quantity", lambda row: whole(row.get("subscriptions.plan_quantity"))),
        Take("start_date", "the later of subscriptions.started_at (else start_date, created_at) and "
             "subscriptions.trial_end: a trial is not revenue until it ends", _start, derived=True),
        Take("end_date", "the date of subscriptions.cancelled_at for cancelled and non_renewing ones, of "
             "subscriptions.pause_date for paused ones", _end),
    ),
    drops=(
        Drop("future subscriptions", lambda row: _status(row) == "future", "they have not started"),
        Drop("subscriptions cancelled during their trial", _cancelled_in_trial, "they never paid"),
    ),
    remarks=_remarks,
)
