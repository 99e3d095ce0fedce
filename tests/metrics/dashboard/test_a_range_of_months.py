"""A range of months on the dashboard (``?from=&to=``, issue 17, item 4): flows summed,
levels at the range's end, rates averaged, each against as many months before; a bad
range is a 400 that says what is wrong."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from metrics.dashboard.ranges import END, MEAN, SUM, MonthSpan, kind_of, presets
from metrics.kpis.registry import find_kpi
from metrics.models import KpiCoverage, KpiValue


@pytest.fixture
def a_year(acme, db):
    """2024-07 .. 2025-06: revenue 100 a month then 200 from 2025-01; MRR 10 more each
    month from 1,000; churn rate 4 then 6 (2025-04 .. 2025-06)."""
    connection.set_tenant(acme.tenant)
    KpiCoverage.objects.create(pk=1, first_month=date(2024, 7, 1), last_month=date(2025, 6, 1),
                               computed_at=timezone.now())
    months = [date(2024, 7 + i, 1) if i < 6 else date(2025, i - 5, 1) for i in range(12)]
    rows = []
    for index, month in enumerate(months):
        rows += [KpiValue(kpi="revenue", month=month, value=Decimal(100 if month.year == 2024 else 200),
                          computed_at=timezone.now()),
                 KpiValue(kpi="mrr", month=month, value=Decimal(1000 + 10 * index), computed_at=timezone.now())]
    rows += [KpiValue(kpi="customer_churn_rate", month=date(2025, m, 1), value=Decimal(v), computed_at=timezone.now())
             for m, v in [(1, "4"), (2, "4"), (3, "4"), (4, "6"), (5, "6"), (6, "7.5")]]
    KpiValue.objects.bulk_create(rows)
    connection.set_schema_to_public()


def card(page: str, key: str) -> str:
    return page.split(f'data-kpi="{key}"', 1)[1].split("</li>", 1)[0]


def test_a_quarter_sums_flows_ends_levels_and_averages_rates_against_the_quarter_before(owner, a_year):
    response = owner.get("/?from=2025-04&to=2025-06")
    assert response.status_code == 200
    page = response.content.decode()
    assert "April 2025 to June 2025" in page.split("<h1>", 1)[1].split("</h1>", 1)[0]
    revenue = card(page, "revenue")  # 3 x 200 = 600, against 3 x 200 (Jan-Mar): ±0
    assert "$600" in revenue and "Total of the months" in revenue and "vs Jan 2025–Mar 2025" in revenue
    mrr = card(page, "mrr")  # June: 1000 + 11 x 10; against March: 1000 + 8 x 10, so +$30
    assert "$1,110" in mrr and "At the end of the range" in mrr and "+$30.00" in mrr
    churn = card(page, "customer_churn_rate")  # (6 + 6 + 7.5) / 3 = 6.5 against 4: worse, red
    assert "6.5 %" in churn and "Monthly average" in churn and "+2.5 pts" in churn
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


def test_kinds_by_unit_and_presets_from_today():
    assert kind_of(find_kpi("revenue")) == SUM and kind_of(find_kpi("orders")) == SUM
    assert kind_of(find_kpi("mrr")) == END and kind_of(find_kpi("cash")) == END
    assert kind_of(find_kpi("nps")) == MEAN and kind_of(find_kpi("aov")) == MEAN
    spans = {key: span for key, _, span in presets(today=date(2026, 8, 20))}
    assert (spans["quarter"].first, spans["quarter"].last) == (date(2026, 7, 1), date(2026, 8, 1))
    assert (spans["year"].first, spans["year"].last) == (date(2026, 1, 1), date(2026, 8, 1))
    assert spans["last-year"].before == MonthSpan(date(2024, 1, 1), date(2024, 12, 1))
