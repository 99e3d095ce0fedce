"""Properties of the subscription KPIs over random histories (hypothesis), checked
against a brute-force reading of the catalog's definitions: every customer, every
month end, every subscription."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from hypothesis import HealthCheck, given, settings, strategies as st

from metrics.kpis.periods import add_months, end_of, month_range
from metrics.models import Customer, KpiValue, Subscription
from tests.kpis.builders import NOW, recompute

FIRST = date(2024, 1, 1)
LAST_MONTH = date(2025, 6, 1)  # the builders' "now"
FACTORS = {"month": Decimal(1), "quarter": Decimal(1) / 3, "year": Decimal(1) / 12, "week": Decimal(52) / 12}
TOLERANCE = Decimal("1e-8")

subscription_rows = st.lists(st.tuples(
    st.integers(0, 5),                                   # customer
    st.integers(0, 500),                                 # start: days after FIRST
    st.one_of(st.none(), st.integers(1, 300)),           # length in days (None: no end)
    st.sampled_from(["0", "9.99", "10", "25.50", "100", "1200"]),
    st.sampled_from(list(FACTORS)),
    st.integers(1, 3),                                   # quantity
), min_size=1, max_size=12)


def reference(rows) -> dict[date, dict]:
    """mrr, customers and movements per month, straight from the definitions."""
    ends = [start + timedelta(days=length) for _, start, length, *_ in rows if length]
    months = month_range(date(2023, 12, 1), max([LAST_MONTH, *ends]).replace(day=1))
    cmrr = {}
    for month in months:
        day = end_of(month)
        for person in range(6):
            cmrr[person, month] = sum((Decimal(amount) * quantity * FACTORS[interval]
                                       for who, start, length, amount, interval, quantity in rows
                                       if who == person and start <= day
                                       and (length is None or start + timedelta(days=length) > day)),
                                      Decimal(0))
    result = {}
    for month in months[1:]:
        before = add_months(month, -1)
        figures = dict.fromkeys(["new", "reactivation", "expansion", "contraction", "churned"], Decimal(0))
        for person in range(6):
            now, then = cmrr[person, month], cmrr[person, before]
            earlier = any(cmrr[person, m] > 0 for m in months if m < before)
            if now > 0 and then == 0:
                figures["reactivation" if earlier else "new"] += now
            elif now > 0 and then > 0:
                figures["expansion" if now > then else "contraction"] += abs(now - then)
            elif then > 0 and now == 0:
                figures["churned"] += then
        figures["mrr"] = sum(cmrr[person, month] for person in range(6))
        figures["customers"] = sum(1 for person in range(6) if cmrr[person, month] > 0)
        result[month] = figures
    return result


def insert(rows) -> list:
    people = Customer.objects.bulk_create([Customer(customer_id=f"p{index}") for index in range(6)])
    built = []
    for index, (who, offset, length, amount, interval, quantity) in enumerate(rows):
        start = FIRST + timedelta(days=offset)
        built.append((who, start, length, amount, interval, quantity))
        Subscription.objects.create(
            subscription_id=f"prop{index}", customer=people[who], amount=Decimal(amount),
            interval=interval, quantity=quantity, start_date=start,
            end_date=start + timedelta(days=length) if length else None)
    return built


def values() -> dict[tuple[str, date], KpiValue]:
    return {(v.kpi, v.month): v for v in KpiValue.objects.all()}


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=subscription_rows)
def test_subscription_kpis_match_the_definitions_and_keep_their_invariants(in_acme, rows):
    with transaction.atomic():
        built = insert(rows)
        recompute()
        stored = values()
        expected = reference(built)
        months = sorted({month for _, month in stored})
        for month in months:
            want = expected[month]
            got = {key: stored[key, month].value for key in
                   ("mrr", "customers", "new_mrr", "reactivation_mrr", "expansion_mrr",
                    "contraction_mrr", "churned_mrr", "net_new_mrr")}
            for key, reference_key in (("mrr", "mrr"), ("new_mrr", "new"), ("reactivation_mrr", "reactivation"),
                                       ("expansion_mrr", "expansion"), ("contraction_mrr", "contraction"),
                                       ("churned_mrr", "churned")):
                assert abs(got[key] - want[reference_key]) < TOLERANCE, (key, month)
            assert got["customers"] == want["customers"]
            # net new MRR is the change of MRR, month after month.
            previous = expected[add_months(month, -1)]["mrr"] if add_months(month, -1) in expected else 0
            assert abs(got["net_new_mrr"] - (want["mrr"] - previous)) < TOLERANCE
            churn = stored["customer_churn_rate", month].value
            retention = stored["customer_retention_rate", month].value
            if churn is None:
                assert retention is None and stored["customer_churn_rate", month].reason
            else:
                # Everyone at the start either churned or is still there: the two add up.
                assert abs(churn + retention - 100) < TOLERANCE
                assert 0 <= churn <= 100 and 0 <= retention <= 100
            gross = stored["gross_mrr_churn_rate", month].value
            if gross is not None:
                assert 0 <= gross <= 100
                assert stored["net_revenue_retention", month].value >= 0
        recompute()
        assert values().keys() == stored.keys()
        assert all(v.value == stored[key].value and v.inputs == stored[key].inputs
                   for key, v in values().items())
        transaction.set_rollback(True)
