"""Random subscription histories of a few customers in a few countries (hypothesis), for
the properties of segments: a strategy and the rows it draws, written."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from metrics.models import Customer, Subscription

FIRST = date(2024, 1, 1)
COUNTRIES = ("DE", "FR", "US")
PLANS = ("basic", "pro")


def histories(*, customers: int, start_days: int, subscriptions: int):
    """(each customer's country, subscription rows: customer, start in days after
    FIRST, length in days or None for no end, amount, interval, plan)."""
    return st.tuples(
        st.lists(st.sampled_from(COUNTRIES), min_size=customers, max_size=customers),
        st.lists(st.tuples(
            st.integers(0, customers - 1),
            st.integers(0, start_days),
            st.one_of(st.none(), st.integers(1, 300)),
            st.sampled_from(["0", "10", "25.50", "100"]),
            st.sampled_from(["month", "year"]),
            st.sampled_from(PLANS),
        ), min_size=1, max_size=subscriptions))


def write_history(countries, rows, *, prefix: str) -> list[Customer]:
    """The customers and their subscriptions, ids starting with ``prefix``."""
    people = Customer.objects.bulk_create(
        [Customer(customer_id=f"{prefix}{index}", country=country) for index, country in enumerate(countries)])
    for index, (who, offset, length, amount, interval, plan) in enumerate(rows):
        start = FIRST + timedelta(days=offset)
        Subscription.objects.create(subscription_id=f"{prefix}s{index}", customer=people[who], amount=Decimal(amount),
                                    interval=interval, plan=plan, start_date=start,
                                    end_date=start + timedelta(days=length) if length else None)
    return people
