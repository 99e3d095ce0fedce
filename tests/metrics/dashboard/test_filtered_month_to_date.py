"""The month under way of a segment (issue 18, item 3), compared like for like as the
company's is (month_to_date.py), inside the segment's tables. Worked by hand:

February 2025, paid invoices: a German customer's 10 on the 1st, 20 on the 2nd, 500
on the 20th; a French customer's 1,000 on the 1st. Traffic on the 1st, 100 visits;
COGS 15 on the 2nd. On day 3 of March, country:DE's February to date is revenue
10 + 20 = 30 over 2 orders (AOV 15); the company's is 1,030. Visits and gross margin
(traffic, expenses) cannot follow: no comparison rather than the company's."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection

from metrics.dashboard.month_to_date import previous_to_date
from metrics.dashboard.segment import segment_previous_to_date
from metrics.kpis.registry import tenant_kpis
from metrics.months import add_months
from metrics.segments.filters import parse_filter
from tests.metrics.kpis.builders import customer, expense, invoice, recompute, subscription, traffic

MARCH = date(2025, 3, 1)


def test_on_day_three_the_segments_previous_month_counts_its_own_first_three_days(in_acme):
    de, fr = customer(country="DE"), customer(country="FR")
    for day, amount in [(1, "10"), (2, "20"), (20, "500")]:
        invoice(date(2025, 2, day), amount, customer=de)
    invoice(date(2025, 2, 1), "1000", customer=fr)
    traffic(date(2025, 2, 1), 100, conversions=2)
    expense(date(2025, 2, 2), "cogs", "15")

    values = segment_previous_to_date(tenant_kpis(), parse_filter("country:DE"), month=MARCH, day=3,
                                      currency="USD", timezone="UTC")
    assert (values["revenue"], values["orders"], values["aov"]) == (30, 2, 15)
    assert values["visits"] is None and values["gross_margin"] is None and values["cogs"] is None
    company = previous_to_date(tenant_kpis(), month=MARCH, day=3, currency="USD", timezone="UTC")
    assert company["revenue"] == 1030 and company["visits"] == 100  # the views are gone again


def test_a_segment_without_invoices_has_a_revenue_of_0_to_date_not_no_invoices_imported(in_acme):
    invoice(date(2025, 2, 1), "10", customer=customer(country="DE"))
    values = segment_previous_to_date(tenant_kpis(), parse_filter("country:JP"), month=MARCH, day=3,
                                      currency="USD", timezone="UTC")
    assert values["revenue"] == 0


def test_the_filtered_dashboard_opens_on_the_month_to_date_of_the_segment(owner, acme):
    """Against the real clock: the German customer paid 100 on the 1st of this month and
    40 on the previous month's 1st (+$60 like for like); the French one 1,000 on each
    1st (the company's change is +$60 too, but its revenue 1,100)."""
    today = datetime.now(tz=ZoneInfo(acme.tenant.timezone)).date()
    this_month = today.replace(day=1)
    previous = add_months(this_month, -1)
    connection.set_tenant(acme.tenant)
    de, fr = customer(country="DE"), customer(country="FR")
    subscription(de, previous, amount="50", plan="pro")
    invoice(this_month, "100", customer=de)
    invoice(previous, "40", customer=de)
    invoice(this_month, "1000", customer=fr)
    invoice(previous, "1000", customer=fr)
    later = previous + timedelta(days=today.day)
    if later < this_month:
        invoice(later, "7000", customer=de)  # after today's day of the month: left out
    recompute(now=datetime.now(tz=ZoneInfo("UTC")))
    connection.set_schema_to_public()

    page = owner.get("/?filter=country:DE").content.decode()
    assert "(to date)" in page.split("<h1>", 1)[1].split("</h1>", 1)[0]
    revenue = page.split('data-kpi="revenue"', 1)[1].split("</li>", 1)[0]
    assert 'kpi-card__value">$100.00<' in revenue and f"Partial, day {today.day} of" in revenue
    change = revenue.split('class="kpi-card__change', 1)[1].split("</p>", 1)[0]
    assert change.startswith(" kpi-card__change--partial\"") and "+$60" in change and "(same days)" in change
    assert "kpi-card__change--bad" not in page and "kpi-card__change--good" not in page
    mrr = page.split('data-kpi="mrr"', 1)[1].split("</li>", 1)[0]
    assert 'kpi-card__value">$50.00<' in mrr and "since the end of" in mrr
