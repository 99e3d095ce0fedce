"""MRR on any day (issue 18, item 4): ``GET /api/v1/kpis/mrr/on/?date=YYYY-MM-DD``,
from the subscriptions active at the end of that day; on a month's last day it is the
month's stored MRR (a hypothesis property over random histories)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings, strategies as st

from metrics.kpis import selectors
from metrics.models import Customer, KpiValue, Subscription
from metrics.months import end_of, month_range
from tests.metrics.kpis.builders import customers, fx_rate, recompute, subscription

FIRST = date(2024, 1, 1)


@pytest.fixture
def march(in_acme):
    """100 a month from 5 January; 50 from 10 March to 20 March (end exclusive); 300 a
    year (25 a month) in GBP at 2 from 15 March."""
    first, second, third = customers(3)
    subscription(first, date(2025, 1, 5), amount="100")
    subscription(second, date(2025, 3, 10), date(2025, 3, 20), amount="50")
    fx_rate("GBP", date(2025, 3, 1), "2")
    subscription(third, date(2025, 3, 15), amount="300", interval="year", currency="GBP")
    recompute()
    connection.set_schema_to_public()
    return in_acme


@pytest.mark.parametrize("day, mrr, paying", [
    ("2025-01-04", 0, 0), ("2025-01-05", 100, 1), ("2025-03-09", 100, 1), ("2025-03-10", 150, 2),
    ("2025-03-15", 200, 3), ("2025-03-19", 200, 3), ("2025-03-20", 150, 2), ("2025-03-31", 150, 2),
])
def test_mrr_on_a_day_counts_the_subscriptions_active_at_its_end(march, acme_owner, day, mrr, paying):
    response = acme_owner.get(f"/api/v1/kpis/mrr/on/?date={day}")
    assert response.status_code == 200
    body = response.json()
    assert body.pop("currency") == march.tenant.currency
    assert body == {"key": "mrr", "date": day, "value": mrr, "unit": "money", "customers": paying, "reason": None}


def test_the_last_day_of_a_month_is_the_months_stored_mrr(march, acme_owner):
    assert acme_owner.get("/api/v1/kpis/mrr/on/?date=2025-03-31").json()["value"] == \
        acme_owner.get("/api/v1/kpis/mrr/?period=2025-03").json()["value"]


@pytest.mark.parametrize("bad", ["2025-02-30", "31-03-2025", "2025-3-1", "0001-01-01", "today"])
def test_a_bad_date_is_a_400_that_says_why(march, acme_owner, bad):
    response = acme_owner.get(f"/api/v1/kpis/mrr/on/?date={bad}")
    assert response.status_code == 400
    assert "date" in response.json()


def test_without_subscriptions_there_is_no_value_and_the_reason(globex_owner):
    body = globex_owner.get("/api/v1/kpis/mrr/on/?date=2025-03-31").json()
    assert body["value"] is None and body["reason"] == "no subscriptions imported"


def test_another_company_never_reads_this_mrr(march, globex_owner):
    assert globex_owner.get("/api/v1/kpis/mrr/on/?date=2025-03-31").json()["value"] is None


histories = st.lists(st.tuples(
    st.integers(0, 3),                                   # customer
    st.integers(0, 500),                                 # start: days after FIRST
    st.one_of(st.none(), st.integers(1, 200)),           # length in days
    st.sampled_from(["0", "9.99", "100", "1200"]),
    st.sampled_from(["week", "month", "quarter", "year"]),
), min_size=1, max_size=8)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=histories)
def test_on_every_months_last_day_mrr_equals_the_stored_month(in_acme, rows):
    with transaction.atomic():
        people = Customer.objects.bulk_create([Customer(customer_id=f"h{index}") for index in range(4)])
        Subscription.objects.bulk_create([
            Subscription(subscription_id=f"hs{index}", customer=people[person], amount=amount, interval=interval,
                         quantity=1, start_date=FIRST + timedelta(days=start),
                         end_date=FIRST + timedelta(days=start + length) if length else None)
            for index, (person, start, length, amount, interval) in enumerate(rows)])
        recompute()
        stored = dict(KpiValue.objects.filter(kpi="mrr").values_list("month", "value"))
        customers_stored = dict(KpiValue.objects.filter(kpi="customers").values_list("month", "value"))
        for month in month_range(min(stored), max(stored)):
            on_day = selectors.mrr_on(end_of(month))
            assert on_day["value"] == pytest.approx(float(stored[month]), abs=1e-9), month
            assert on_day["customers"] == customers_stored[month], month
        transaction.set_rollback(True)
