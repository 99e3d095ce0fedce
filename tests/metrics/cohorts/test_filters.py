"""Cohorts of a segment (``customer_filter``, docs/cohorts.md): the worked example of
example.py, hand-computed again over the customers a filter keeps."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection

from metrics.cohorts import selectors
from metrics.models import Customer
from metrics.segments.filters import EVERYONE, parse_filter
from tests.metrics.cohorts.example import APR, FEB, JAN, MAR, build
from tests.metrics.kpis.builders import customer, subscription


def matrix(text: str = "", first=JAN, last=APR) -> selectors.Matrix:
    return selectors.matrix(by="first_paid_month", first=first, last=last, currency=connection.tenant.currency,
                            timezone=connection.tenant.timezone, data_first=JAN,
                            customer_filter=parse_filter(text) if text else EVERYONE)


def numbers(values):
    return [[None if v is None else Decimal(v) for v in row] for row in values]


def build_in_countries() -> dict[str, Customer]:
    """The example with A and B in Germany, C, D and E in France."""
    people = build()
    for name, person in people.items():
        person.country = "DE" if name in "AB" else "FR"
        person.save(update_fields=["country"])
    return people


def test_a_country_keeps_its_customers_cohorts(in_acme):
    build_in_countries()
    germany = matrix("country:DE")
    # January: A and B at $100; B gone at the end of February and March, back in April.
    assert [(c.month, c.size, c.start_mrr) for c in germany.cohorts] == [(JAN, 2, Decimal(200))]
    assert numbers(germany.values("customer_retention")) == [[100, 50, 50, 100]]
    assert numbers(germany.values("mrr_retention")) == [[100, 50, 50, 100]]
    france = matrix("country:FR")
    # January: C and D at $100 (C +50 in February, D down to 60 in March); February: E.
    assert [(c.month, c.size, c.start_mrr) for c in france.cohorts] == [(JAN, 2, Decimal(200)), (FEB, 1, Decimal(200))]
    assert numbers(france.values("mrr_retention")) == [[100, 125, 105, 105], [100, 100, 100]]
    assert numbers(france.values("gross_mrr_retention")) == [[100, 100, 80, 80], [100, 100, 100]]
    assert numbers(france.values("arpu")) == [[100, 125, 105, 105], [200, 200, 200]]


def test_a_plan_keeps_its_subscriptions_so_the_cohort_is_the_first_month_on_that_plan(in_acme):
    person = customer(name="P")
    subscription(person, JAN.replace(day=5), MAR, plan="basic", amount="50")
    subscription(person, MAR, plan="pro", amount="120")
    subscription(customer(name="Q"), JAN.replace(day=8), plan="pro", amount="100")
    pro = matrix("plan:pro")
    # Q is January's; P is March's, its first month paying for pro (its basic months are not kept).
    assert [(c.month, c.size, c.start_mrr) for c in pro.cohorts] == [(JAN, 1, Decimal(100)), (MAR, 1, Decimal(120))]
    whole = matrix()
    assert [(c.month, c.size, c.start_mrr) for c in whole.cohorts] == [(JAN, 2, Decimal(150))]
    # Whole company: P's move to pro is an expansion of January's cohort, 150 -> 220.
    assert numbers(whole.values("mrr_retention")) == [[100, 100, Decimal("146.6667"), Decimal("146.6667")]]


def test_a_cells_customers_are_the_segments(in_acme):
    people = build_in_countries()
    kwargs = dict(by="first_paid_month", cohort=JAN, month=FEB, currency=connection.tenant.currency,
                  timezone=connection.tenant.timezone, data_first=JAN)
    gone = selectors.cell_customers(status="gone", customer_filter=parse_filter("country:DE"), **kwargs)
    assert gone.count() == 1 and [row["customer_id"] for row in gone[0:10]] == [people["B"].customer_id]
    paying = selectors.cell_customers(status="paying", customer_filter=parse_filter("country:FR"), **kwargs)
    assert sorted(row["customer_id"] for row in paying[0:10]) == sorted([people["C"].customer_id, people["D"].customer_id])
    assert paying.count() == 2
    # Nothing of the filter stays behind: the whole company's cell after.
    assert selectors.cell_customers(status="paying", **kwargs).count() == 3
