"""Baremetrics: the manual subscription import template, as subscriptions
(docs/sources.md).

The template is one row per subscription with its plan and customer on the same row;
``plan_amount`` is an integer of cents; a plan renews every ``plan_interval_count``
``plan_interval`` (week, month, year: a quarterly plan is 3 months);
``subscription_canceled_at`` is the cancellation date, not the end of the period, and
is the subscription's end.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from metrics.imports.sources.declaring import Doc, Row, Source, Take
from metrics.imports.sources.values import money_text, number

GUIDE = Doc("https://help.baremetrics.com/en/articles/5380088-manual-subscription-import-guide",
            "Manual Subscription Import Guide (Baremetrics)",
            "the template's columns plan_oid, plan_name, plan_currency, plan_amount (cents integer), plan_interval "
            "(week, month, year), plan_interval_count, customer_oid, customer_name, customer_email, "
            "subscription_oid, subscription_started_at and subscription_canceled_at (YYYY-MM-DD)")
TEMPLATE = Doc("https://docs.google.com/spreadsheets/d/1IJHXeGiuIK9C-J2dEUZJqlFYIp4aEzCwIDXfJBWJuAc/edit",
               "Baremetrics' manual import template",
               "the template's header in order, with subscription_quantity (default 1) last; the cancellation date "
               "only when the subscription was cancelled, not the period end")

# (plan_interval_count, plan_interval) -> the kind's interval, for periods the kind has.
INTERVALS = {(1, "week"): "week", (1, "month"): "month", (3, "month"): "quarter", (1, "year"): "year",
             (12, "month"): "year"}
# Months in one unit, to read any other period as its monthly share.
MONTHS = {"month": Decimal(1), "year": Decimal(12), "week": Decimal(12) / Decimal(52)}


def _period(row: Row) -> tuple[int, str]:
    count = number(row.get("plan_interval_count"))
    return (int(count) if count else 1), row.get("plan_interval").strip().lower() or "month"


def _interval(row: Row) -> str:
    return INTERVALS.get(_period(row), "month")


def _amount(row: Row) -> str:
    """``plan_amount`` in cents as currency units; a period the kind has no interval
    for (6 months, 2 years) as its monthly share."""
    cents = number(row.get("plan_amount"))
    if cents is None:
        return row.get("plan_amount")
    amount = cents / 100
    period = _period(row)
    if period not in INTERVALS and period[1] in MONTHS:
        row.count("monthly share", f"{period[0]} {period[1]}")
        amount = amount / (MONTHS[period[1]] * period[0])
    row.count("derived", "amount")
    return money_text(amount)


def _remarks(counts: Counter) -> list[str]:
    shares = sorted((key[1], n) for key, n in counts.items() if key[0] == "monthly share")
    if not shares:
        return []
    return ["Plans renewing every " + ", ".join(f"{period} ({n:,} row{'s' if n > 1 else ''})" for period, n in shares)
            + " imported as monthly subscriptions at their monthly share of the price."]


BAREMETRICS_SUBSCRIPTIONS = Source(
    key="baremetrics_subscriptions", name="Baremetrics subscription import template", vendor="Baremetrics",
    kind="subscriptions",
    documentation=(GUIDE, TEMPLATE),
    recognise=("subscription_oid", "customer_oid", "plan_amount", "plan_interval", "subscription_started_at"),
    takes=(
        Take("subscription_id", "subscription_oid", lambda row: row.get("subscription_oid")),
        Take("customer_id", "customer_oid", lambda row: row.get("customer_oid")),
        Take("plan", "plan_name, else plan_oid", lambda row: row.get("plan_name") or row.get("plan_oid")),
        Take("amount", "plan_amount (cents) divided by 100; a period the kind has no interval for as its "
             "monthly share", _amount, derived=True),
        Take("currency", "plan_currency, upper-cased", lambda row: row.get("plan_currency").upper()),
        Take("interval", "plan_interval and plan_interval_count: 1 week, 1 month, 3 months (quarter), 1 year or "
             "12 months (year); any other period month", _interval),
        Take("quantity", "subscription_quantity (1 when empty)", lambda row: row.get("subscription_quantity") or "1"),
        Take("start_date", "subscription_started_at", lambda row: row.get("subscription_started_at")),
        Take("end_date", "subscription_canceled_at (the cancellation date)",
             lambda row: row.get("subscription_canceled_at")),
    ),
    remarks=_remarks,
)
