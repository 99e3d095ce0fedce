"""One roll-up rule for a range of months (issue 18, item 4): the dashboard's quarter
and the quarter before it are, for every KPI, the series API's
``granularity=quarter`` points (metrics/kpis/rollup.py), for the whole company from
the stored values and their inputs, and for a segment from its computed months.

The company, by hand (monthly subscriptions from the first of the month):
  DE: four customers at 100 from October 2024; one leaves on 20 January, one on
      10 February; a fifth joins at 100 on 1 February.
  FR: six customers at 50 from October 2024; one leaves on 10 November, one on
      10 February.
  Invoices of 30 in November and January per customer, marketing spend, traffic with
  conversions, NPS and CSAT answers, tickets and a custom metric, in both quarters."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from metrics.dashboard.cards import build_dashboard
from metrics.dashboard.ranges import MonthSpan
from metrics.dashboard.segment import segment_values
from metrics.kpis.registry import tenant_kpis
from metrics.kpis.window import window_from
from metrics.segments.filters import parse_filter
from tests.metrics.kpis.builders import (customer, customers, expense, invoice, metric, recompute,
                                         subscription, subscriptions_for, survey_answers, ticket, traffic)

UTC = ZoneInfo("UTC")
OCT, NOV, JAN, FEB = date(2024, 10, 1), date(2024, 11, 1), date(2025, 1, 1), date(2025, 2, 1)
Q1 = MonthSpan(date(2025, 1, 1), date(2025, 3, 1))


@pytest.fixture
def worked(in_acme):
    german, french = customers(4, country="DE"), customers(6, country="FR")
    subscriptions_for(german[:2], OCT)
    subscriptions_for(german[2:3], OCT, date(2025, 1, 20))
    subscriptions_for(german[3:], OCT, date(2025, 2, 10))
    subscription(customer(country="DE"), FEB, amount="100")
    subscriptions_for(french[:4], OCT, amount="50")
    subscriptions_for(french[4:5], OCT, date(2024, 11, 10), amount="50")
    subscriptions_for(french[5:], OCT, date(2025, 2, 10), amount="50")
    for month in (NOV, JAN):
        for person in german + french:
            invoice(month.replace(day=15), "30", customer=person)
    for day, spend, visits, conversions in [(date(2024, 11, 3), "400", 300, 3), (date(2025, 1, 3), "900", 200, 1),
                                            (date(2025, 3, 3), "300", 600, 9)]:
        expense(day, "marketing", spend)
        traffic(day, visits, channel="social", conversions=conversions)
    survey_answers("nps", [10, 9, 3], datetime(2024, 12, 2, 10, tzinfo=UTC))
    survey_answers("nps", [10, 10, 10, 10, 2], datetime(2025, 1, 12, 10, tzinfo=UTC))
    survey_answers("nps", [6], datetime(2025, 3, 12, 10, tzinfo=UTC))
    survey_answers("csat", [5, 4, 1], datetime(2025, 2, 12, 10, tzinfo=UTC))
    survey_answers("csat", [2], datetime(2025, 3, 12, 10, tzinfo=UTC))
    ticket(datetime(2025, 1, 6, 9, tzinfo=UTC), first_response=datetime(2025, 1, 6, 11, tzinfo=UTC),
           resolved=datetime(2025, 1, 7, 9, tzinfo=UTC))
    ticket(datetime(2025, 3, 6, 9, tzinfo=UTC), first_response=datetime(2025, 3, 6, 19, tzinfo=UTC))
    metric("trial_signups", date(2025, 1, 31), "40")
    metric("trial_signups", date(2025, 3, 31), "12")
    recompute()
    return in_acme


def quarters(client, key: str, extra: str = "") -> tuple:
    """The API's (2024-Q4, 2025-Q1) values of ``key``."""
    response = client.get(f"/api/v1/kpis/{key}/series/?from=2024-10&to=2025-03&granularity=quarter{extra}")
    assert response.status_code == 200, response.content
    q4, q1 = response.json()["points"]
    assert (q4["period"], q1["period"]) == ("2024-Q4", "2025-Q1")
    return q4["value"], q1["value"]


def on_the_dashboard(segment=None) -> dict:
    """(the quarter before, the quarter) of every card of the dashboard of Q1 2025."""
    dashboard = build_dashboard(window_from({"month": "2025-03"}, timezone="UTC"), [], span=Q1, segment=segment)
    return {card.kpi.key: (card.previous, card.value) for card in dashboard.all_cards}


def test_the_dashboards_quarter_is_the_apis_quarter_for_every_kpi(worked, acme_owner):
    kpis = tenant_kpis()
    cards = on_the_dashboard()
    connection.set_schema_to_public()
    assert set(cards) == {kpi.key for kpi in kpis}
    api = {kpi.key: quarters(acme_owner, kpi.key) for kpi in kpis}
    assert cards == api
    assert len([key for key, (_, q1) in cards.items() if q1 is not None]) >= 25
    # Pooled, not averaged: 9 customers at the start of January (4 + 5); 1 leaves in
    # January (1 / 9 = 11.1 %), 2 in February (2 / 8 = 25 %), none in March (0 %):
    # 3 / 9 = 33.3 %, where the months' mean would be 12.0 %. Q4 has no customers at
    # its start (everyone starts on 1 October): no rate.
    assert cards["customer_churn_rate"][0] is None
    assert cards["customer_churn_rate"][1] == pytest.approx(100 / 3)
    # A level at the quarter's end: December 4 x 100 + 5 x 50, March 3 x 100 + 4 x 50.
    assert cards["mrr"] == (650, 500)
    # NPS of Q1's answers together: 4 promoters, 2 detractors (2 and 6) of 6 = 33.33...;
    # the months' mean would be (60 + (-100)) / 2 = -20.
    assert cards["nps"][1] == pytest.approx(100 / 3)


def test_a_filtered_dashboards_quarter_is_the_filtered_apis_quarter(worked, acme_owner):
    kpis = tenant_kpis()
    germans = segment_values(parse_filter("country:DE"))
    cards = on_the_dashboard(germans)
    connection.set_schema_to_public()
    api = {kpi.key: quarters(acme_owner, kpi.key, "&filter=country:DE") for kpi in kpis}
    assert cards == api
    # Germany: 4 at the start of January, 1 leaves in January and 1 in February: 2 / 4
    # = 50 % (the months' mean: (25 + 33.3 + 0) / 3 = 19.4). MRR at the end of
    # December 4 x 100, of March 3 x 100 (the one who joined on 1 February stays).
    assert cards["customer_churn_rate"] == (None, 50)
    assert cards["mrr"] == (400, 300)
    assert cards["visits"] == (None, None)  # cannot follow a customer filter


def test_another_companys_months_never_enter_a_range(worked, acme_owner, globex_owner, globex):
    """globex's own churn and MRR in the same months stay out of acme's quarter."""
    connection.set_tenant(globex.tenant)
    subscriptions_for(customers(3, country="DE"), OCT, date(2025, 1, 5), amount="9000")
    recompute()
    theirs = on_the_dashboard()
    connection.set_schema_to_public()
    assert theirs["customer_churn_rate"] == (None, 100) and theirs["mrr"] == (27000, 0)  # 3 of 3 leave
    connection.set_tenant(worked.tenant)
    ours = on_the_dashboard()
    connection.set_schema_to_public()
    assert ours["customer_churn_rate"][1] == pytest.approx(100 / 3) and ours["mrr"] == (650, 500)
    assert [quarters(globex_owner, "mrr"), quarters(acme_owner, "mrr")] == [(27000, 0), (650, 500)]
