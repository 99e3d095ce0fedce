"""``filter=`` on /api/v1/kpis/, /api/v1/kpis/{key}/ and /series/ (api.md): the
segment's figures, a 400 naming the known attributes, and never another company's."""

from datetime import date

import pytest
from django.db import connection

from tests.metrics.kpis.builders import customer, recompute, subscription, traffic

JAN, FEB = date(2025, 1, 1), date(2025, 2, 1)


@pytest.fixture
def plans(in_acme):
    pro, basic = customer(country="DE", attributes={"industry": "retail"}), customer(country="FR")
    subscription(pro, JAN, amount="100", plan="pro")
    subscription(basic, JAN, amount="40", plan="basic")
    subscription(basic, FEB, amount="10", plan="pro")
    traffic(FEB, 300, channel="social")
    recompute()
    connection.set_schema_to_public()
    return in_acme


def test_a_member_reads_mrr_of_the_pro_plan_as_one_value_a_series_and_in_the_months_list(plans, acme_owner):
    one = acme_owner.get("/api/v1/kpis/mrr/?period=2025-02&filter=plan:pro").json()
    assert (one["value"], one["reason"]) == (110, None)
    series = acme_owner.get("/api/v1/kpis/mrr/series/?from=2025-01&to=2025-02&filter=plan:pro").json()
    assert [point["value"] for point in series["points"]] == [100, 110]
    listed = {item["key"]: item for item in acme_owner.get("/api/v1/kpis/?period=2025-02&filter=plan:pro").json()}
    assert (listed["mrr"]["value"], listed["mrr"]["previous_value"], listed["mrr"]["change"]) == (110, 100, 10)
    assert listed["visits"]["value"] is None and listed["visits"]["reason"] == "cannot follow a customer filter"


def test_an_extra_customer_column_filters_like_the_others(plans, acme_owner):
    answer = acme_owner.get("/api/v1/kpis/mrr/?period=2025-02&filter=industry:retail").json()
    assert answer["value"] == 100


def test_an_unknown_attribute_is_a_400_naming_the_known_ones(plans, acme_owner):
    response = acme_owner.get("/api/v1/kpis/mrr/?period=2025-02&filter=colour:red")
    assert response.status_code == 400
    text = str(response.json())
    assert "colour" in text and "first_paid_month" in text and "industry" in text
    for path in ("/api/v1/kpis/?filter=plan", "/api/v1/kpis/mrr/series/?filter=plan:%00"):
        assert acme_owner.get(path).status_code == 400


def test_another_company_cannot_filter_on_acmes_extra_columns_nor_see_its_figures(plans, acme_owner, globex_owner):
    response = globex_owner.get("/api/v1/kpis/mrr/?period=2025-02&filter=industry:retail")
    assert response.status_code == 400 and "industry" not in str(response.json()).split("known attributes")[1]
    answer = globex_owner.get("/api/v1/kpis/mrr/?period=2025-02&filter=plan:pro").json()
    assert answer["value"] is None


def test_a_breakdown_follows_the_filter_and_one_over_traffic_says_it_cannot(plans, acme_owner):
    answer = acme_owner.get("/api/v1/kpis/mrr/breakdown/?period=2025-02&by=country&filter=plan:pro").json()
    assert {row["group"]: row["value"] for row in answer["rows"]} == {"DE": 100, "FR": 10}
    refused = acme_owner.get("/api/v1/kpis/visits/breakdown/?period=2025-02&filter=plan:pro")
    assert refused.status_code == 400 and "cannot follow a customer filter" in str(refused.json())


def test_a_filtered_series_rolls_up_to_quarters_too(plans, acme_owner):
    # MRR is a level: the quarter's last month, 100 + 10 on pro (tests/metrics/kpis/test_filtered_series.py).
    response = acme_owner.get("/api/v1/kpis/mrr/series/?from=2025-01&to=2025-03&filter=plan:pro&granularity=quarter")
    assert response.json()["points"] == [{"period": "2025-Q1", "value": 110, "partial": False}]


def test_the_records_behind_a_value_follow_the_filter_and_traffic_days_say_they_cannot(plans, acme_owner):
    everyone = acme_owner.get("/api/v1/kpis/mrr/records/?period=2025-02&movement=active").json()
    french = acme_owner.get("/api/v1/kpis/mrr/records/?period=2025-02&movement=active&filter=country:FR").json()
    assert (everyone["count"], french["count"]) == (2, 1)
    refused = acme_owner.get("/api/v1/kpis/visits/records/?period=2025-02&filter=plan:pro")
    assert refused.status_code == 400 and "cannot follow a customer filter" in str(refused.json())
