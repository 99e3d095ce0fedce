"""A range of months on the dashboard (``?from=&to=``, issue 17, item 4): each KPI rolled
up by its rule (metrics/kpis/rollup.py, issue 18, item 4: flows summed, levels at the
range's end, rates recomputed from their inputs), against as many months before; a bad
range is a 400 that says what is wrong."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from metrics.dashboard.ranges import MonthSpan, presets
from metrics.kpis.rollup import rule_text
from metrics.kpis.registry import find_kpi
from metrics.models import KpiCoverage, KpiValue


@pytest.fixture
def a_year(acme, db):
    """2024-07 .. 2025-06: revenue 100 a month then 200 from 2025-01; MRR 10 more each
    month from 1,000; churn rate 4, 4, 4 (4 churned of 100 at the start of each month of
    2025-01 .. 2025-03) then 6, 6, 7.5 (6 of 100, 100, then 80), stored with the inputs
    the engine keeps."""
    connection.set_tenant(acme.tenant)
    KpiCoverage.objects.create(pk=1, first_month=date(2024, 7, 1), last_month=date(2025, 6, 1),
                               computed_at=timezone.now())
    months = [date(2024, 7 + i, 1) if i < 6 else date(2025, i - 5, 1) for i in range(12)]
    rows = []
    for index, month in enumerate(months):
        rows += [KpiValue(kpi="revenue", month=month, value=Decimal(100 if month.year == 2024 else 200),
                          computed_at=timezone.now()),
                 KpiValue(kpi="mrr", month=month, value=Decimal(1000 + 10 * index), computed_at=timezone.now())]
    rows += [KpiValue(kpi="customer_churn_rate", month=date(2025, m, 1), value=Decimal(v), computed_at=timezone.now(),
                      inputs={"churned_customers": churned, "customers_at_start": start})
             for m, v, churned, start in [(1, "4", 4, 100), (2, "4", 4, 100), (3, "4", 4, 100),
                                          (4, "6", 6, 100), (5, "6", 6, 100), (6, "7.5", 6, 80)]]
    KpiValue.objects.bulk_create(rows)
    connection.set_schema_to_public()


def card(page: str, key: str) -> str:
    return page.split(f'data-kpi="{key}"', 1)[1].split("</li>", 1)[0]


def test_a_quarter_sums_flows_ends_levels_and_recomputes_rates_against_the_quarter_before(owner, a_year):
    response = owner.get("/?from=2025-04&to=2025-06")
    assert response.status_code == 200
    page = response.content.decode()
    assert "April 2025 to June 2025" in page.split("<h1>", 1)[1].split("</h1>", 1)[0]
    revenue = card(page, "revenue")  # 3 x 200 = 600, against 3 x 200 (Jan-Mar): ±0
    assert "$600" in revenue and "Rule: the months&#x27; sum" in revenue and "vs Jan 2025–Mar 2025" in revenue
    mrr = card(page, "mrr")  # June: 1000 + 11 x 10; against March: 1000 + 8 x 10, so +$30
    assert "$1,110" in mrr and "Rule: the last month&#x27;s value" in mrr and "+$30.00" in mrr
    # Pooled over the quarter: (6 + 6 + 6) churned / 100 customers at the start of April
    # = 18 %, against (4 + 4 + 4) / 100 at the start of January = 12 %: +6 pts, worse,
    # red. The months' mean would have said (6 + 6 + 7.5) / 3 = 6.5 % against 4 %.
    churn = card(page, "customer_churn_rate")
    assert ">18.0 %<" in churn and "+6.0 pts" in churn and "6.5 %" not in churn
    assert "Rule: churned customers summed / customers at the start x 100" in churn
    assert "kpi-card__change--bad" in churn


def test_last_year_against_the_year_before(owner, a_year):
    page = owner.get("/?from=2024-07&to=2025-06").content.decode()
    assert "$1,800" in card(page, "revenue")  # 6 x 100 + 6 x 200; nothing stored the year before
    assert "against July 2023 to June 2024" in page


@pytest.mark.parametrize("query, message", [
    ("from=2025-13&to=2025-06", "from"), ("from=2025-06", "to"), ("from=2025-06&to=2025-01", "from must not be after to"),
    ("from=1990-01&to=2025-01", "from"), ("from=2000-01&to=2025-01", "at most 120 months"),
])
def test_a_bad_range_is_a_400_that_says_why(owner, a_year, query, message):
    response = owner.get(f"/?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_rule_in_words_is_the_kpi_pages_and_presets_from_today():
    assert rule_text(find_kpi("revenue")) == rule_text(find_kpi("orders")) == "the months' sum"
    assert rule_text(find_kpi("mrr")) == rule_text(find_kpi("cash")) == "the last month's value"
    assert rule_text(find_kpi("nps")) == "(promoters - detractors) / answers, each summed, x 100"
    assert rule_text(find_kpi("revenue_growth_rate")) == "the mean of the months' values (no exact roll-up)"
    spans = {key: span for key, _, span in presets(today=date(2026, 8, 20))}
    assert (spans["quarter"].first, spans["quarter"].last) == (date(2026, 7, 1), date(2026, 8, 1))
    assert (spans["year"].first, spans["year"].last) == (date(2026, 1, 1), date(2026, 8, 1))
    assert spans["last-year"].before == MonthSpan(date(2024, 1, 1), date(2024, 12, 1))
