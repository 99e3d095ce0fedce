"""Any range of months by month, quarter or year (issue 18, item 4): each roll-up kind
worked out by hand, a quarter's churn recomputed from its inputs (not the months'
mean), partial periods marked, bad parameters a 400, and another company's series out
of reach."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from metrics.kpis import rollup
from metrics.kpis.registry import BY_KEY, custom_kpi
from metrics.models import KpiValue
from tests.metrics.kpis.first_quarter import build as first_quarter_of_2025


def months(*rows) -> list[rollup.MonthValue]:
    """(value, inputs) per month from January 2025 on."""
    return [rollup.MonthValue(date(2025, index + 1, 1), None if value is None else Decimal(value), inputs)
            for index, (value, inputs) in enumerate(rows)]


def test_a_flow_is_summed_over_the_quarter():
    assert rollup.roll_up(BY_KEY["revenue"], months(("400", {}), ("50", {}), ("0", {}))) == Decimal(450)


def test_a_level_is_the_quarters_last_month_with_a_value():
    assert rollup.roll_up(BY_KEY["mrr"], months(("1000", {}), ("900", {}), (None, {}))) == Decimal(900)


def test_a_churn_rate_of_a_quarter_is_its_churned_customers_over_the_customers_at_its_start():
    # Jan 1 of 10, Feb 2 of 9, Mar 0 of 7: the quarter lost 3 of its first 10, 30 %,
    # not the months' mean of (10 + 22.2 + 0) / 3 = 10.7 %.
    quarter = months(("10", {"customers_at_start": 10, "churned_customers": 1}),
                     ("22.2222222222", {"customers_at_start": 9, "churned_customers": 2}),
                     ("0", {"customers_at_start": 7, "churned_customers": 0}))
    assert rollup.roll_up(BY_KEY["customer_churn_rate"], quarter) == Decimal(30)


def test_mrr_growth_of_a_quarter_runs_from_the_first_months_start_to_the_last_months_end():
    quarter = months(("-10", {"mrr": 900, "mrr_at_start": 1000}), ("0", {"mrr": 900, "mrr_at_start": 900}),
                     ("-11.1111111111", {"mrr": 800, "mrr_at_start": 900}))
    assert rollup.roll_up(BY_KEY["mrr_growth_rate"], quarter) == Decimal(-20)


def test_an_average_order_value_is_the_amounts_over_the_orders_of_the_quarter():
    quarter = months(("200", {"order_amount": 400, "orders": 2}), ("50", {"order_amount": 50, "orders": 1}))
    assert rollup.roll_up(BY_KEY["aov"], quarter) == Decimal(150)  # not (200 + 50) / 2


def test_contract_value_is_weighed_by_the_subscriptions_started_each_month():
    quarter = months(("1200", {"subscriptions_started": 3}), (None, {}), ("2400", {"subscriptions_started": 1}))
    assert rollup.roll_up(BY_KEY["acv"], quarter) == Decimal(1500)  # (3 x 1200 + 2400) / 4


def test_a_rate_without_an_exact_roll_up_is_the_mean_of_its_months():
    quarter = months((None, {}), ("-87.5", {}), ("-100", {}))
    assert rollup.roll_up(BY_KEY["revenue_growth_rate"], quarter) == Decimal("-93.75")


def test_a_recomputed_rate_over_no_customers_has_no_value():
    quarter = months((None, {"customers_at_start": 0, "churned_customers": 0}))
    assert rollup.roll_up(BY_KEY["customer_churn_rate"], quarter) is None
    assert rollup.roll_up(BY_KEY["customer_churn_rate"], []) is None


def test_a_custom_metric_rolls_up_as_its_months_are_summarised():
    rows = months(("2", {}), ("4", {}))
    assert rollup.roll_up(custom_kpi(slug="signups", aggregation="sum"), rows) == Decimal(6)
    assert rollup.roll_up(custom_kpi(slug="nps_x", aggregation="avg"), rows) == Decimal(3)
    assert rollup.roll_up(custom_kpi(slug="seats", aggregation="last"), rows) == Decimal(4)


def test_every_catalog_kpi_has_a_rule_and_every_recompute_reads_inputs_the_kpi_stores():
    for kpi in BY_KEY.values():
        rule = rollup.rule_of(kpi)
        shown = {entry if isinstance(entry, str) else entry[0] for entry in kpi.shows}
        assert {name for name, _ in rule.inputs} <= shown, kpi.key


@pytest.fixture
def first_quarter(in_acme):
    """tests/metrics/kpis/first_quarter.py: ten customers from December 2024, three leave
    in the first quarter of 2025, one joins."""
    first_quarter_of_2025()
    connection.set_schema_to_public()
    return in_acme


def points(client, key: str, query: str) -> dict[str, dict]:
    response = client.get(f"/api/v1/kpis/{key}/series/?{query}")
    assert response.status_code == 200, response.content
    return {point["period"]: point for point in response.json()["points"]}


def test_the_series_by_quarter_rolls_each_kpi_up_by_its_rule(first_quarter, acme_owner):
    query = "from=2024-12&to=2025-03&granularity=quarter"
    churn = points(acme_owner, "customer_churn_rate", query)
    assert churn == {"2024-Q4": {"period": "2024-Q4", "value": None, "partial": True},
                     "2025-Q1": {"period": "2025-Q1", "value": 30, "partial": False}}
    assert points(acme_owner, "mrr", query)["2025-Q1"]["value"] == 800
    assert points(acme_owner, "churned_mrr", query)["2025-Q1"]["value"] == 300
    assert points(acme_owner, "new_mrr", query)["2025-Q1"]["value"] == 100
    assert points(acme_owner, "mrr_growth_rate", query)["2025-Q1"]["value"] == -20
    assert points(acme_owner, "revenue", query)["2025-Q1"]["value"] == 450
    assert points(acme_owner, "aov", query)["2025-Q1"]["value"] == 150
    assert points(acme_owner, "bounce_rate", query)["2025-Q1"]["value"] == pytest.approx(22.5)  # 90 / 400
    assert points(acme_owner, "nps", query)["2025-Q1"]["value"] == 40  # (3 - 1) / 5
    assert points(acme_owner, "avg_first_response_hours", query)["2025-Q1"]["value"] == 5  # (2 + 8) / 2
    # Revenue growth: January has no month before with revenue; (-87.5 - 100) / 2.
    assert points(acme_owner, "revenue_growth_rate", query)["2025-Q1"]["value"] == pytest.approx(-93.75)


def test_years_are_labelled_by_their_number_and_cut_years_are_partial(first_quarter, acme_owner):
    churn = points(acme_owner, "customer_churn_rate", "from=2024-12&to=2025-03&granularity=year")
    assert list(churn) == ["2024", "2025"]
    assert churn["2025"] == {"period": "2025", "value": 30, "partial": True}


def test_the_monthly_series_keeps_its_shape(first_quarter, acme_owner):
    response = acme_owner.get("/api/v1/kpis/mrr/series/?from=2025-01&to=2025-02")
    assert response.json() == {"key": "mrr", "unit": "money", "points": [
        {"period": "2025-01", "value": 900}, {"period": "2025-02", "value": 700}]}
    assert acme_owner.get("/api/v1/kpis/mrr/series/?from=2025-01&to=2025-02&granularity=month").json() \
        == response.json()


def test_a_period_of_one_month_rolls_up_to_that_months_value(first_quarter, acme):
    """Every recomputed rule gives back the stored value of a single month: the rules'
    formulas are the catalog's."""
    connection.set_tenant(acme.tenant)
    checked = 0
    for row in KpiValue.objects.filter(value__isnull=False, kpi__in=list(BY_KEY)):
        rolled = rollup.roll_up(BY_KEY[row.kpi], [rollup.MonthValue(row.month, row.value, row.inputs)])
        assert rolled == pytest.approx(row.value, abs=Decimal("1e-6")), (row.kpi, row.month)
        checked += rollup.rule_of(BY_KEY[row.kpi]).how == rollup.How.RECOMPUTE
    assert checked > 20


@pytest.mark.parametrize("query, field", [
    ("granularity=week", "granularity"),
    ("granularity=Quarter", "granularity"),
    ("granularity=quarter&from=2025-04&to=2025-01", "from"),
    ("granularity=year&from=2025-13", "from"),
])
def test_bad_ranges_and_granularities_are_a_400_that_says_why(first_quarter, acme_owner, query, field):
    response = acme_owner.get(f"/api/v1/kpis/customer_churn_rate/series/?{query}")
    assert response.status_code == 400
    assert field in response.json()


def test_another_company_never_reads_these_periods(first_quarter, globex_owner):
    response = globex_owner.get("/api/v1/kpis/mrr/series/?from=2024-12&to=2025-03&granularity=quarter")
    assert response.status_code == 200
    assert all(point["value"] is None for point in response.json()["points"])


def browser(handle):
    from django.test import Client

    client = Client(HTTP_HOST=handle.host)
    assert client.post("/accounts/login/", {"username": handle.owner_email,
                                            "password": handle.password}).status_code == 302
    return client


def test_the_kpi_page_picks_a_range_by_quarter_and_its_chart_draws_it_with_the_year_before(first_quarter):
    owner = browser(first_quarter)
    page = owner.get("/kpis/customer_churn_rate/?month=2025-03&from=2024-12&to=2025-03&granularity=quarter&yoy=1")
    assert page.status_code == 200
    html = page.content.decode()
    assert ('data-chart-url="/kpis/customer_churn_rate/chart/?month=2025-03&amp;range=12&amp;'
            'from=2024-12&amp;to=2025-03&amp;granularity=quarter&amp;yoy=1"') in html
    assert "churned customers summed / customers at the start x 100" in html
    chart = owner.get("/kpis/customer_churn_rate/chart/?from=2024-12&to=2025-03&granularity=quarter&yoy=1").json()
    assert chart["labels"] == ["2024-Q4 (partial)", "2025-Q1"]  # December only
    now, earlier = chart["datasets"]
    assert now["data"] == [None, 30]
    assert earlier["label"] == "Customer churn rate, a year earlier"
    assert earlier["periods"] == ["2023-Q4", "2024-Q1"] and earlier["data"] == [None, None]


def test_the_year_before_lines_up_period_by_period(first_quarter):
    chart = browser(first_quarter).get("/kpis/mrr/chart/?from=2025-12&to=2026-03&granularity=quarter&yoy=1").json()
    assert chart["labels"] == ["2025-Q4 (partial)", "2026-Q1"]
    # A year earlier: 2024-Q4 is December 2024 (1000), 2025-Q1 ends at 800.
    assert chart["datasets"][1]["data"] == [1000, 800]
    assert chart["datasets"][1]["periods"] == ["2024-Q4", "2025-Q1"]


def test_a_bad_range_on_the_page_says_why_and_the_chart_answers_400(first_quarter):
    owner = browser(first_quarter)
    page = owner.get("/kpis/mrr/?from=2025-04&to=2025-01")
    assert page.status_code == 400 and "from must not be after to." in page.content.decode()
    chart = owner.get("/kpis/mrr/chart/?granularity=fortnight")
    assert chart.status_code == 400 and "granularity must be one of month, quarter, year" in chart.json()["detail"]


def test_the_mrr_page_shows_mrr_on_a_chosen_day(first_quarter):
    owner = browser(first_quarter)
    html = owner.get("/kpis/mrr/?date=2025-01-19").content.decode()
    assert 'id="mrr-day"' in html and "At the end of 2025-01-19" in html and "10 paying customers" in html
    bad = owner.get("/kpis/mrr/?date=2025-02-30")
    assert bad.status_code == 400 and "is not a day of the calendar" in bad.content.decode()
    assert 'id="mrr-day"' not in owner.get("/kpis/customers/").content.decode()


def test_docs_rollups_lists_every_kpis_rule_as_declared():
    from pathlib import Path

    from django.conf import settings

    document = (Path(settings.BASE_DIR) / "docs" / "rollups.md").read_text()
    for key, kind, text in rollup.table():
        assert f"| `{key}` | {kind} | {text} |" in document, key
