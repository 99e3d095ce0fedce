"""Properties of segment figures over random histories (hypothesis): segments of a
partition add up to the whole company, and a filter matching everyone is no filter."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings, strategies as st

from metrics.kpis.registry import tenant_kpis
from metrics.models import Customer, KpiValue, Subscription
from metrics.segments.engine import CANNOT_FOLLOW, segment_results
from metrics.segments.filters import parse_filter
from tests.metrics.kpis.builders import recompute

FIRST = date(2024, 1, 1)
COUNTRIES = ("DE", "FR", "US")
PLANS = ("basic", "pro")
MOVEMENTS = ("new_mrr", "reactivation_mrr", "expansion_mrr", "contraction_mrr", "churned_mrr", "net_new_mrr")
TOLERANCE = Decimal("1e-8")

histories = st.tuples(
    st.lists(st.sampled_from(COUNTRIES), min_size=6, max_size=6),  # each customer's country
    st.lists(st.tuples(
        st.integers(0, 5),                                # customer
        st.integers(0, 500),                              # start: days after FIRST
        st.one_of(st.none(), st.integers(1, 300)),        # length in days (None: no end)
        st.sampled_from(["0", "10", "25.50", "100"]),
        st.sampled_from(["month", "year"]),
        st.sampled_from(PLANS),
    ), min_size=1, max_size=12))


def insert(countries, rows) -> None:
    people = Customer.objects.bulk_create(
        [Customer(customer_id=f"p{index}", country=country) for index, country in enumerate(countries)])
    for index, (who, offset, length, amount, interval, plan) in enumerate(rows):
        start = FIRST + timedelta(days=offset)
        Subscription.objects.create(subscription_id=f"prop{index}", customer=people[who], amount=Decimal(amount),
                                    interval=interval, plan=plan, start_date=start,
                                    end_date=start + timedelta(days=length) if length else None)


def segment(text: str, *, reasons: bool = False) -> dict:
    coverage = KpiValue.objects.order_by("month")
    first, last = coverage.first().month, coverage.last().month
    tenant = connection.tenant
    results = segment_results(customer_filter=parse_filter(text), kpis=tenant_kpis(), first=first, last=last,
                              currency=tenant.currency, timezone=tenant.timezone)
    return {(r.kpi, r.month): (r.value, r.reason) if reasons else r.value for r in results}


def whole() -> dict:
    return {(v.kpi, v.month): v.value for v in KpiValue.objects.all()}


def total(parts: list[dict], key) -> Decimal:
    return sum((part.get(key) or Decimal(0) for part in parts), Decimal(0))


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=histories)
def test_countries_mrr_and_every_movement_add_up_to_the_company(in_acme, history):
    with transaction.atomic():
        insert(*history)
        recompute()
        company = whole()
        parts = [segment(f"country:{country}") for country in COUNTRIES]
        for (kpi, month), value in company.items():
            if kpi in ("mrr", *MOVEMENTS, "customers"):
                assert abs(total(parts, (kpi, month)) - (value or 0)) < TOLERANCE, (kpi, month)
        transaction.set_rollback(True)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=histories)
def test_plans_mrr_and_net_new_mrr_add_up_and_everyone_is_no_filter(in_acme, history):
    # A plan filter keeps the subscriptions on the plan: a customer moving from basic to
    # pro is churn in one and new in the other, so only MRR and its net change add up.
    with transaction.atomic():
        insert(*history)
        recompute()
        company = whole()
        parts = [segment(f"plan:{plan}") for plan in PLANS]
        for (kpi, month), value in company.items():
            if kpi in ("mrr", "net_new_mrr"):
                assert abs(total(parts, (kpi, month)) - (value or 0)) < TOLERANCE, (kpi, month)
        for everyone in ("country:" + "|".join(COUNTRIES), "plan:" + "|".join(PLANS)):
            answers = segment(everyone, reasons=True)
            assert answers.keys() == company.keys()
            unfollowed = {kpi for (kpi, _), (_, reason) in answers.items() if reason == CANNOT_FOLLOW}
            assert unfollowed.isdisjoint({"mrr", "customers", "arpu", "ltv", "revenue", *MOVEMENTS})
            for key, (value, reason) in answers.items():
                if reason != CANNOT_FOLLOW:
                    assert (value is None) == (company[key] is None), key
                    assert value is None or abs(value - company[key]) < TOLERANCE, key
        transaction.set_rollback(True)
