"""The KPI page with ``?filter=`` (the filter bar): the value, its inputs, the chart, the
breakdown, the records and their CSV all follow the segment, with the API's figures; a
KPI that cannot follow says so; a wrong filter is a 400 page that says why; another
company sees neither the figures nor the saved segments."""

from datetime import date
from html import unescape

import pytest
from django.db import connection

from metrics.models import SavedSegment
from tests.metrics.dashboard.conftest import logged_in
from tests.metrics.kpis.builders import customer, recompute, subscription, traffic

JAN, FEB, MAR_10 = date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 10)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def plans(in_acme):
    """Pro in Germany (100, from January), basic in France (40, from January; it leaves
    on 10 March) and pro in France (10, from February); traffic in February."""
    subscription(customer(country="DE", name="Deutsch GmbH"), JAN, amount="100", plan="pro")
    french = customer(country="FR", name="Francais SA")
    subscription(french, JAN, MAR_10, amount="40", plan="basic")
    subscription(customer(country="FR", name="Paris SARL"), FEB, amount="10", plan="pro")
    traffic(FEB, 300, channel="social")
    SavedSegment.objects.create(name="Acme pro", filter="plan:pro")
    recompute()
    connection.set_schema_to_public()
    return in_acme


def text(response) -> str:
    return unescape(response.content.decode())


def test_the_value_its_change_and_inputs_follow_the_filter_as_the_api_says(plans, acme_owner):
    page = logged_in(plans).get("/kpis/mrr/?month=2025-02&filter=plan:pro")
    assert page.status_code == 200
    body = text(page)
    assert 'data-testid="kpi-value">$110' in body  # 100 + 10 on pro, not the company's 150
    assert "vs $100.00 the month before" in body
    assert "Showing customers where <code>plan:pro</code>" in body
    api = acme_owner.get("/api/v1/kpis/mrr/?period=2025-02&filter=plan:pro").json()
    assert api["value"] == 110


def test_every_link_of_the_page_carries_the_filter(plans):
    body = logged_in(plans).get("/kpis/mrr/?month=2025-02&filter=country:FR").content.decode()
    assert 'data-chart-url="/kpis/mrr/chart/?month=2025-02&amp;range=12&amp;filter=country%3AFR"' in body
    assert 'hx-get="/kpis/mrr/breakdown/?month=2025-02&amp;filter=country%3AFR"' in body
    assert 'href="/kpis/mrr/records/?month=2025-02&amp;filter=country%3AFR&amp;movement=active"' in body
    # The segments page opens with this filter as segment A.
    assert 'href="/kpis/mrr/segments/?filter=country%3AFR" data-testid="kpi-segments-link"' in body
    assert '<input type="hidden" name="filter" value="country:FR">' in body  # month picker, range form
    assert "&amp;filter=country%3AFR\">All months</a>" in body  # the presets
    # The filter bar keeps the page's month (and range) when a filter is applied or cleared.
    assert '<input type="hidden" name="month" value="2025-02">' in body.split('data-testid="filter-bar"')[1]


def test_the_duplicate_12_24_all_switch_is_gone_the_presets_stay(plans):
    body = logged_in(plans).get("/kpis/mrr/?month=2025-02").content.decode()
    assert "range=24" not in body and "range=all" not in body and ">24 months<" not in body
    assert ">Last 12 months</a>" in body and ">All months</a>" in body


def test_the_chart_follows_the_filter_by_month_and_by_quarter(plans, acme_owner):
    client = logged_in(plans)
    chart = client.get("/kpis/mrr/chart/?month=2025-03&from=2025-01&to=2025-03&filter=plan:pro").json()
    assert chart["labels"] == ["2025-01", "2025-02", "2025-03"]
    assert chart["datasets"][0]["label"] == "Monthly recurring revenue (plan:pro)"
    assert chart["datasets"][0]["data"] == [100, 110, 110]
    api = acme_owner.get("/api/v1/kpis/mrr/series/?from=2025-01&to=2025-03&filter=plan:pro").json()
    assert [point["value"] for point in api["points"]] == chart["datasets"][0]["data"]
    # Churn of the French from February by quarter: the 1 paying at the start of February leaves in March.
    quarter = client.get("/kpis/customer_churn_rate/chart/?month=2025-03&from=2025-02&to=2025-03"
                         "&granularity=quarter&yoy=1&filter=country:FR").json()
    assert quarter["labels"] == ["2025-Q1 (partial)"] and quarter["datasets"][0]["data"] == [100]
    assert quarter["datasets"][1]["label"] == "Customer churn rate (country:FR), a year earlier"
    bad = client.get("/kpis/mrr/chart/?month=2025-03&filter=colour:red")
    assert bad.status_code == 400 and "Unknown attribute 'colour'" in bad.json()["detail"]


def test_the_breakdown_and_the_records_follow_the_filter_and_the_csv_too(plans):
    client = logged_in(plans)
    breakdown = text(client.get("/kpis/mrr/breakdown/?month=2025-02&by=country&filter=plan:pro", **HTMX))
    assert ">DE<" in breakdown and ">FR<" in breakdown and "$40" not in breakdown and "$10.00" in breakdown
    records = text(client.get("/kpis/mrr/records/?month=2025-02&movement=active&filter=country:FR", **HTMX))
    assert "2 records" in records and "Deutsch" not in records
    assert 'href="/kpis/mrr/records.csv?month=2025-02&movement=active&filter=country%3AFR"' in records
    export = client.get("/kpis/mrr/records.csv?month=2025-02&movement=active&filter=country:FR")
    assert export.status_code == 200
    lines = b"".join(export.streaming_content).decode().splitlines()
    assert len(lines) == 3 and not any("Deutsch" in line for line in lines)
    assert sorted(line.split(",")[1] for line in lines[1:]) == ["Francais SA", "Paris SARL"]
    everyone = client.get("/kpis/mrr/records.csv?month=2025-02&movement=active")
    assert len(b"".join(everyone.streaming_content).decode().splitlines()) == 4


def test_a_kpi_that_cannot_follow_says_so_instead_of_the_companys_number(plans):
    client = logged_in(plans)
    page = text(client.get("/kpis/visits/?month=2025-02&filter=plan:pro"))
    assert "Visits cannot follow a customer filter" in page
    assert 'data-testid="kpi-value">300' not in page and 'data-testid="kpi-value">—' in page
    breakdown = text(client.get("/kpis/visits/breakdown/?month=2025-02&filter=plan:pro", **HTMX))
    assert "cannot follow a customer filter" in breakdown and "300" not in breakdown
    records = text(client.get("/kpis/visits/records/?month=2025-02&filter=plan:pro", **HTMX))
    assert "cannot follow a customer filter" in records
    refused = client.get("/kpis/visits/records.csv?month=2025-02&filter=plan:pro")
    assert refused.status_code == 400 and "cannot follow a customer filter" in refused.content.decode()


def test_a_wrong_filter_is_a_400_page_that_says_why(plans):
    client = logged_in(plans)
    page = client.get("/kpis/mrr/?month=2025-02&filter=colour:red")
    assert page.status_code == 400
    body = text(page)
    assert "Unknown attribute 'colour'; known attributes: plan, channel" in body
    assert 'data-testid="kpi-value">$150' in body  # not applied: the whole company, said so above
    for path in ("breakdown/?by=country&", "records/?", "records.csv?"):
        response = client.get(f"/kpis/mrr/{path}month=2025-02&filter=plan")
        assert response.status_code == 400 and "attribute:value1|value2" in response.content.decode()


def test_mrr_on_a_day_follows_the_filter(plans):
    body = text(logged_in(plans).get("/kpis/mrr/?month=2025-03&date=2025-03-15&filter=country:FR"))
    assert "At the end of 2025-03-15: $10.00, 1 paying customer" in body.replace("<strong>", "").replace(
        "</strong>", "")
    nobody = text(logged_in(plans).get("/kpis/mrr/?month=2025-03&date=2025-03-15&filter=country:IT"))
    assert "At the end of 2025-03-15: $0.00, 0 paying customers" in nobody.replace("<strong>", "").replace(
        "</strong>", "")


def test_another_company_sees_neither_these_customers_nor_the_saved_segments(plans, globex):
    theirs = logged_in(globex)
    page = text(theirs.get("/kpis/mrr/?filter=plan:pro"))
    assert "Acme pro" not in page and "$110" not in page
    records = text(theirs.get("/kpis/mrr/records/?month=2025-02&movement=active&filter=plan:pro", **HTMX))
    assert "Deutsch" not in records and "Paris" not in records
    export = theirs.get("/kpis/mrr/records.csv?month=2025-02&movement=active&filter=country:FR")
    assert b"".join(export.streaming_content).decode().strip() == ""
    assert "Acme pro" in text(logged_in(plans).get("/kpis/mrr/?month=2025-02"))  # offered on acme's own page
