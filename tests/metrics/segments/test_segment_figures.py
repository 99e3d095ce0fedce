"""A segment's KPI values, computed on the fly (metrics/segments/engine.py): worked by
hand, against the stored values, and through the API."""

from datetime import date
from decimal import Decimal

from metrics.kpis.registry import find_kpi
from metrics.segments import selectors
from metrics.models import Customer
from metrics.segments.engine import CANNOT_FOLLOW, segment_tables
from metrics.segments.filters import parse_filter
from tests.metrics.kpis.builders import (customer, customers, expense, invoice, recompute, stored, subscription,
                                         traffic)

JAN, FEB, MAR = date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)


def figures(text: str, key: str, month: date, **extra) -> dict:
    return selectors.one(find_kpi(key), month, parse_filter(text, **extra))


def build_company():
    """Four customers: two on pro (DE 100 + FR 250), one on basic (DE 40, gone in March),
    one on basic then pro from February (US 30 -> 90)."""
    de, fr, small, mover = (customer(country="DE", segment="smb", attributes={"industry": "retail"}),
                            customer(country="FR", segment="enterprise"),
                            customer(country="DE", segment="smb"), customer(country="US", segment="smb"))
    subscription(de, JAN, amount="100", plan="pro")
    subscription(fr, JAN, amount="250", plan="pro")
    subscription(small, JAN, date(2025, 3, 10), amount="40", plan="basic")
    subscription(mover, JAN, FEB, amount="30", plan="basic")
    subscription(mover, FEB, amount="90", plan="pro")
    invoice(date(2025, 2, 3), "100", customer=de)
    invoice(date(2025, 2, 4), "250", customer=fr)
    invoice(date(2025, 2, 5), "999")  # no customer: in no segment
    traffic(date(2025, 2, 1), 500, channel="social", conversions=5)
    expense(date(2025, 2, 28), "marketing", "600")
    recompute()
    return de, fr, small, mover


def test_mrr_of_plan_pro_is_the_pro_subscriptions_summed_by_hand(in_acme):
    build_company()
    assert figures("plan:pro", "mrr", JAN)["value"] == 350  # 100 + 250
    assert figures("plan:pro", "mrr", FEB)["value"] == 440  # + the mover's 90
    assert figures("plan:pro,country:DE|FR", "mrr", FEB)["value"] == 350
    assert figures("country:DE", "mrr", MAR)["value"] == 100  # the basic DE customer left
    assert figures("industry:retail", "mrr", MAR, extra_attributes=["industry"])["value"] == 100


def test_a_customer_count_and_revenue_follow_the_filter(in_acme):
    build_company()
    assert figures("segment:smb", "customers", FEB)["value"] == 3
    assert figures("country:DE", "customers", MAR)["value"] == 1
    assert figures("country:FR", "revenue", FEB)["value"] == 250


def test_traffic_and_spend_kpis_say_they_cannot_follow_instead_of_the_unfiltered_number(in_acme):
    build_company()
    for key in ("visits", "cac"):
        answer = figures("country:DE", key, FEB)
        assert answer["value"] is None and answer["reason"] == CANNOT_FOLLOW
    assert stored("visits", FEB).value == 500  # unfiltered, it has a value


def test_a_filter_that_matches_everyone_gives_every_stored_value(in_acme):
    build_company()
    everyone = parse_filter("country:DE|FR|US")
    for key in ("mrr", "customers", "new_customers", "churned_mrr", "net_new_mrr", "customer_churn_rate", "arpu"):
        for month in (JAN, FEB, MAR):
            assert selectors.one(find_kpi(key), month, everyone)["value"] == _number(stored(key, month).value), (key, month)


def test_a_filter_matching_nobody_has_an_mrr_of_0_and_no_churn_rate(in_acme):
    build_company()
    assert figures("country:JP", "mrr", FEB)["value"] == 0
    assert figures("country:JP", "customer_churn_rate", FEB)["value"] is None


def test_the_unfiltered_values_stay_as_stored_after_a_segment_was_computed(in_acme):
    build_company()
    before = stored("mrr", FEB).value
    figures("plan:pro", "mrr", FEB)
    assert stored("mrr", FEB).value == before == Decimal("480")
    assert find_kpi("mrr") is not None


def _number(value):
    from metrics.formatting import json_number
    return json_number(value)


def test_first_paid_month_keeps_the_customers_who_first_paid_then_in_the_figures_and_the_views(in_acme):
    """Its first payment is a paying subscription's start or a paid invoice, whichever
    is first: de and fr started paying in January; mover too (its basic plan); a
    customer whose paid invoice of December 2024 comes before its February subscription
    first paid in December, and one that started in February first paid in February."""
    build_company()
    early = customer(country="NL")
    invoice(date(2024, 12, 20), "15", customer=early)
    subscription(early, FEB, amount="70", plan="pro")
    late = customer(country="NL")
    subscription(late, FEB, amount="20", plan="basic")
    recompute()
    assert figures("first_paid_month:2025-02", "mrr", FEB)["value"] == 20
    assert figures("first_paid_month:2024-12", "mrr", FEB)["value"] == 70
    assert figures("first_paid_month:2025-01", "mrr", FEB)["value"] == 100 + 250 + 40 + 90
    assert figures("first_paid_month:2024-12|2025-02", "customers", FEB)["value"] == 2
    # The drill-downs' views keep the same customers.
    with segment_tables(customer_filter=parse_filter("first_paid_month:2024-12|2025-02"), currency="USD"):
        assert set(Customer.objects.values_list("customer_id", flat=True)) == {early.customer_id, late.customer_id}
