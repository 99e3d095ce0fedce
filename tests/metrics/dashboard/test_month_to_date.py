"""The month under way, compared like for like: on day N, the previous month's first N
days (issue 17, item 4). Worked example, by hand:

February 2025, paid invoices: 1st 10, 2nd 20, 3rd 30 (and a refund of -5 on the 3rd),
4th 1,000, 28th 5. Expenses: COGS 15 on the 2nd, 400 on the 20th. Traffic: 1st 100
visits with 2 conversions, 10th 1,000 visits with 50. Leads: 4 on the 2nd (1
qualified), 10 on the 15th.
On day 3 of March, February's first three days give:
  revenue 10 + 20 + 30 - 5 = 55; orders 3 (a refund is no order); AOV 60 / 3 = 20;
  COGS 15; gross margin (55 - 15) / 55 = 72.7272... %; net burn 15 - 55 = -40;
  visits 100, conversions 2, visitor conversion rate 2 %; leads 4, qualified 1.
On day 31 of March: all of February (revenue 1,060, orders 5, visits 1,100, leads 14).
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from metrics.dashboard.month_to_date import LIKE_FOR_LIKE_KIND, STOCK_KIND, comparison_kind, previous_to_date
from metrics.kpis.registry import find_kpi, tenant_kpis
from metrics.months import add_months
from tests.metrics.kpis.builders import expense, invoice, leads, recompute, traffic

MARCH = date(2025, 3, 1)


@pytest.fixture
def february(in_acme):
    for day, amount in [(1, "10"), (2, "20"), (3, "30"), (3, "-5"), (4, "1000"), (28, "5")]:
        invoice(date(2025, 2, day), amount)
    expense(date(2025, 2, 2), "cogs", "15")
    expense(date(2025, 2, 20), "cogs", "400")
    traffic(date(2025, 2, 1), 100, conversions=2)
    traffic(date(2025, 2, 10), 1000, conversions=50)
    leads(date(2025, 2, 2), 3)
    leads(date(2025, 2, 2), 1, qualified=True)
    leads(date(2025, 2, 15), 10)
    return in_acme


def test_on_day_three_the_previous_month_counts_its_first_three_days_only(february):
    values = previous_to_date(tenant_kpis(), month=MARCH, day=3, currency="USD", timezone="UTC")
    assert values["revenue"] == 55
    assert values["orders"] == 3
    assert values["aov"] == 20
    assert values["cogs"] == 15
    assert values["gross_margin"] == pytest.approx(Decimal("72.7272727"), abs=Decimal("1e-6"))
    assert values["net_burn"] == -40
    assert values["visits"] == 100 and values["conversions"] == 2
    assert values["visitor_conversion_rate"] == 2
    assert values["leads"] == 4 and values["qualified_leads"] == 1
    assert "mrr" not in values and "customer_churn_rate" not in values  # not compared like for like


def test_the_last_days_of_a_long_month_compare_with_all_of_a_short_one(february):
    values = previous_to_date(tenant_kpis(), month=MARCH, day=31, currency="USD", timezone="UTC")
    assert (values["revenue"], values["orders"], values["visits"], values["leads"]) == (1060, 5, 1100, 14)


def test_a_company_without_traffic_has_no_like_for_like_rate_to_divide(in_acme):
    invoice(date(2025, 2, 1), "10")
    values = previous_to_date(tenant_kpis(), month=MARCH, day=3, currency="USD", timezone="UTC")
    assert values["revenue"] == 10 and values["visitor_conversion_rate"] is None


def test_levels_compare_with_the_month_end_and_flows_like_for_like():
    assert comparison_kind(find_kpi("mrr")) == STOCK_KIND
    assert comparison_kind(find_kpi("revenue")) == LIKE_FOR_LIKE_KIND
    assert comparison_kind(find_kpi("customer_churn_rate")) == "whole_month"


def test_the_dashboard_opens_on_the_month_to_date_compared_like_for_like_and_uncoloured(owner, acme):
    """Against the real clock: 100 paid on the 1st of this month; the previous month 40
    on its 1st and 1,000 after today's day of the month (left out), so +$60."""
    today = datetime.now(tz=ZoneInfo(acme.tenant.timezone)).date()
    this_month = today.replace(day=1)
    previous = add_months(this_month, -1)
    connection.set_tenant(acme.tenant)
    invoice(this_month, "100")
    invoice(previous, "40")
    later = previous + timedelta(days=today.day)
    if later < this_month:
        invoice(later, "1000")
    recompute(now=datetime.now(tz=ZoneInfo("UTC")))
    connection.set_schema_to_public()

    page = owner.get("/").content.decode()
    assert "(to date)" in page.split("<h1>", 1)[1].split("</h1>", 1)[0]
    revenue = page.split('data-kpi="revenue"', 1)[1].split("</li>", 1)[0]
    assert f"Partial, day {today.day} of" in revenue
    change = revenue.split('class="kpi-card__change', 1)[1].split("</p>", 1)[0]
    assert "kpi-card__change--partial" in 'class="kpi-card__change' + change  # no good/bad colour
    assert "+$60" in change and "(same days)" in change
    assert "kpi-card__change--bad" not in page and "kpi-card__change--good" not in page
