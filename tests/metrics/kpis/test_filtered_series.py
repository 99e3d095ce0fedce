"""A segment's series by quarter and year (``/api/v1/kpis/{key}/series/?filter=&granularity=``):
the segment's months rolled up by each KPI's rule exactly as the stored months are, worked
out by hand, and a filter that matches every customer gives the company's series."""

from datetime import date

import pytest
from django.db import connection

from tests.metrics.kpis.builders import customers, invoice, recompute, subscriptions_for

DEC, JAN_20, FEB_10 = date(2024, 12, 5), date(2025, 1, 20), date(2025, 2, 10)


@pytest.fixture
def two_countries(in_acme):
    """Four German customers pay 100 a month from 5 December 2024, one leaves on 20
    January and one on 10 February; six French ones pay 50, one leaves on 10 February.
    Each pays an invoice of 30 in January."""
    german, french = customers(4, country="DE"), customers(6, country="FR")
    subscriptions_for(german[:2], DEC)
    subscriptions_for(german[2:3], DEC, JAN_20)
    subscriptions_for(german[3:], DEC, FEB_10)
    subscriptions_for(french[:5], DEC, amount="50")
    subscriptions_for(french[5:], DEC, FEB_10, amount="50")
    for person in german + french:
        invoice(date(2025, 1, 15), "30", customer=person)
    recompute()
    connection.set_schema_to_public()
    return in_acme


def series(client, key: str, query: str) -> list[dict]:
    response = client.get(f"/api/v1/kpis/{key}/series/?{query}")
    assert response.status_code == 200, response.content
    return response.json()["points"]


def test_a_quarters_churn_rate_of_a_segment_is_its_churned_customers_over_its_customers_at_the_start(
        two_countries, acme_owner):
    # Germany: 4 paying at the end of December; 1 leaves in January, 1 in February:
    # 2 / 4 = 50 % for the quarter (the months' mean would be (25 + 33.3 + 0) / 3).
    query = "from=2024-12&to=2025-03&granularity=quarter&filter=country:DE"
    assert series(acme_owner, "customer_churn_rate", query) == [
        {"period": "2024-Q4", "value": None, "partial": True},  # December alone: no customers at its start
        {"period": "2025-Q1", "value": 50, "partial": False}]
    # MRR is a level: the quarter's last month, two Germans at 100.
    assert [point["value"] for point in series(acme_owner, "mrr", query)] == [400, 200]
    # Revenue is a flow: the four German invoices of January, summed.
    assert [point["value"] for point in series(acme_owner, "revenue", query)] == [0, 120]


def test_a_segments_year_is_labelled_by_its_number_and_cut_years_are_partial(two_countries, acme_owner):
    points = series(acme_owner, "customer_churn_rate", "from=2025-01&to=2025-03&granularity=year&filter=country:FR")
    assert len(points) == 1 and points[0]["period"] == "2025" and points[0]["partial"] is True
    assert points[0]["value"] == pytest.approx(100 / 6, abs=1e-8)  # 1 of 6 French customers


def test_a_filter_matching_every_customer_gives_the_companys_quarters_and_years(two_countries, acme_owner):
    listed = acme_owner.get("/api/v1/kpis/?period=2025-01&filter=country:DE|FR").json()
    unfollowed = {item["key"] for item in listed if item["reason"] == "cannot follow a customer filter"}
    assert {"mrr", "customer_churn_rate", "revenue", "net_revenue_retention"}.isdisjoint(unfollowed)
    assert {"visits", "nps"} <= unfollowed
    for granularity in ("quarter", "year"):
        query = f"from=2024-12&to=2025-06&granularity={granularity}"
        for item in listed:
            everyone = series(acme_owner, item["key"], f"{query}&filter=country:DE|FR")
            if item["key"] in unfollowed:  # traffic, spend, surveys ...: null, not the company's figure
                assert all(point["value"] is None for point in everyone), item["key"]
            else:
                assert everyone == series(acme_owner, item["key"], query), item["key"]


def test_a_kpi_without_customers_cannot_follow_by_quarter_either(two_countries, acme_owner):
    points = series(acme_owner, "visits", "from=2025-01&to=2025-06&granularity=quarter&filter=country:DE")
    assert [point["value"] for point in points] == [None, None]


def test_a_wrong_filter_or_granularity_is_a_400_that_says_why(two_countries, acme_owner):
    response = acme_owner.get("/api/v1/kpis/mrr/series/?granularity=quarter&filter=colour:red")
    assert response.status_code == 400 and "Unknown attribute 'colour'" in str(response.json())
    response = acme_owner.get("/api/v1/kpis/mrr/series/?granularity=week&filter=country:DE")
    assert response.status_code == 400 and "granularity" in response.json()


def test_another_company_reads_none_of_these_customers(two_countries, globex_owner):
    points = series(globex_owner, "mrr", "from=2024-12&to=2025-03&granularity=quarter&filter=country:DE")
    assert [point["value"] for point in points] == [None, None]
