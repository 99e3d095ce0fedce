"""The catalog's worked examples (kpi-catalog.md, "Worked examples that must hold"),
each built as real rows and computed by the engine."""

from datetime import date, datetime, timedelta, timezone as tz
from decimal import Decimal

from tests.metrics.kpis.builders import (customers, expense, invoice, leads, recompute, stored,
                                 subscriptions_for, survey_answers, ticket, traffic, value)

JAN, FEB, MAR = date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)


def test_500_customers_at_the_start_25_lost_is_5_percent_churn(in_acme):
    people = customers(500)
    subscriptions_for(people[:25], date(2025, 1, 5), end=date(2025, 2, 10))
    subscriptions_for(people[25:], date(2025, 1, 5))
    recompute()
    churn = stored("customer_churn_rate", FEB)
    assert churn.value == Decimal("5")
    assert churn.inputs == {"customers_at_start": 500, "churned_customers": 25}


def test_1000_at_the_start_100_gained_950_at_the_end_is_85_percent_retention(in_acme):
    people = customers(1100)
    subscriptions_for(people[:150], date(2025, 1, 5), end=date(2025, 2, 20))  # lost in February
    subscriptions_for(people[150:1000], date(2025, 1, 5))
    subscriptions_for(people[1000:], date(2025, 2, 3))  # gained in February
    recompute()
    assert value("customers", JAN) == 1000
    assert value("new_customers", FEB) == 100
    assert value("customers", FEB) == 950
    assert value("customer_retention_rate", FEB) == Decimal("85")


def test_200_promoters_150_passives_150_detractors_is_nps_10(in_acme):
    at = datetime(2025, 3, 10, 12, tzinfo=tz.utc)
    survey_answers("nps", [9] * 100 + [10] * 100 + [7] * 75 + [8] * 75 + [0] * 50 + [6] * 100, at)
    recompute()
    nps = stored("nps", MAR)
    assert nps.value == Decimal("10")
    assert (nps.inputs["promoters"], nps.inputs["passives"], nps.inputs["detractors"]) == (200, 150, 150)
    assert 0 < nps.inputs["nps_margin"] < 10


def test_150_of_200_csat_answers_4_or_5_is_75_percent(in_acme):
    at = datetime(2025, 3, 10, 12, tzinfo=tz.utc)
    survey_answers("csat", [4] * 100 + [5] * 50 + [3] * 30 + [1] * 20, at)
    recompute()
    assert value("csat", MAR) == Decimal("75")
    assert value("csat_responses", MAR) == 200


def test_marketing_50000_sales_30000_500_new_customers_is_cac_160(in_acme):
    subscriptions_for(customers(500), date(2025, 3, 2))
    expense(date(2025, 3, 31), "marketing", "50000")
    expense(date(2025, 3, 31), "sales", "30000")
    recompute()
    cac = stored("cac", MAR)
    assert cac.value == Decimal("160")
    assert cac.inputs == {"marketing_spend": 50000, "sales_spend": 30000, "new_customers": 500}


def test_mrr_50000_then_60000_is_20_percent_growth(in_acme):
    subscriptions_for(customers(500), date(2025, 1, 3), amount="100")
    subscriptions_for(customers(100), date(2025, 2, 3), amount="100")
    recompute()
    assert (value("mrr", JAN), value("mrr", FEB)) == (Decimal("50000"), Decimal("60000"))
    assert value("mrr_growth_rate", FEB) == Decimal("20")


def test_revenue_500000_cogs_200000_is_60_percent_gross_margin(in_acme):
    invoice(date(2025, 3, 3), "300000")
    invoice(date(2025, 3, 20), "200000")
    expense(date(2025, 3, 31), "cogs", "200000")
    recompute()
    assert value("revenue", MAR) == Decimal("500000")
    assert value("gross_margin", MAR) == Decimal("60")


def test_10000_visits_200_conversions_is_2_percent(in_acme):
    traffic(date(2025, 3, 1), 6000, conversions=150)
    traffic(date(2025, 3, 2), 4000, conversions=50)
    recompute()
    assert value("visitor_conversion_rate", MAR) == Decimal("2")


def test_100_tickets_resolved_in_500_hours_is_5_hours_on_average(in_acme):
    opened = datetime(2025, 3, 2, 8, tzinfo=tz.utc)
    for index in range(100):
        ticket(opened, resolved=opened + timedelta(hours=2 if index % 2 else 8))
    recompute()
    assert value("avg_resolution_hours", MAR) == Decimal("5")
    assert value("tickets_resolved", MAR) == 100


def test_100_leads_20_converted_is_20_percent(in_acme):
    leads(date(2025, 3, 4), 20, converted=date(2025, 4, 2))
    leads(date(2025, 3, 4), 80)
    recompute()
    assert value("lead_conversion_rate", MAR) == Decimal("20")
