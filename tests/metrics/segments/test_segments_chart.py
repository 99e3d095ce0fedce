"""The segments page's chart: segment A and B over the table's months, the very numbers
of the table and the CSV, on the KPI's unit; a wrong filter is a 400 that says why, a
KPI that cannot follow a filter has a note instead of a line, and a chart never shows
another company's customers."""

from datetime import date
from html import unescape

import pytest
from django.db import connection
from django.test import Client

from metrics.segments.engine import CANNOT_FOLLOW
from tests.metrics.dashboard.conftest import logged_in
from tests.metrics.kpis.builders import customer, recompute, subscription, traffic

JAN = date(2025, 1, 1)
QUERY = "filter=plan:pro&compare=country:FR"


@pytest.fixture
def plans(in_acme):
    """Pro in Germany (100 from January), pro in France (250 from March), basic in
    France (40 from January); traffic, which belongs to no customer."""
    subscription(customer(country="DE"), JAN, amount="100", plan="pro")
    subscription(customer(country="FR"), date(2025, 3, 1), amount="250", plan="pro")
    subscription(customer(country="FR"), JAN, amount="40", plan="basic")
    traffic(JAN, 500, channel="social")
    recompute()
    connection.set_schema_to_public()
    return in_acme


def csv_columns(client, query: str) -> tuple[list[str], list[list[float]]]:
    lines = b"".join(client.get(f"/kpis/mrr/segments.csv?{query}").streaming_content).decode().splitlines()
    rows = [line.split(",") for line in lines[1:]]
    return [row[0] for row in rows], [[float(row[side]) if row[side] else None for row in rows] for side in (1, 2)]


def test_the_chart_draws_the_tables_and_the_csvs_numbers(plans):
    owner = logged_in(plans)
    chart = owner.get(f"/kpis/mrr/segments/chart/?{QUERY}")
    assert chart.status_code == 200 and chart["Content-Type"] == "application/json"
    data = chart.json()
    months, columns = csv_columns(owner, QUERY)
    assert data["labels"] == months and len(months) == 12 and months[-1] == "2025-06"
    assert [dataset["data"] for dataset in data["datasets"]] == columns
    # Hand-checked: no values before January; pro is 100 until France's 250 in March.
    assert columns[0][:6] == [None] * 6 and columns[0][6:] == [100, 100, 350, 350, 350, 350]
    assert columns[1][6:] == [40, 40, 290, 290, 290, 290]
    assert [dataset["label"] for dataset in data["datasets"]] == ["A: plan:pro", "B: country:FR"]
    assert data["axes"]["y"]["unit"] == "money"
    page = unescape(owner.get(f"/kpis/mrr/segments/?{QUERY}").content.decode()).replace(".00", "")
    assert "<th scope=\"row\">Jun 2025</th><td>$350</td><td>$290</td>" in page
    assert "<th scope=\"row\">Feb 2025</th><td>$100</td><td>$40</td>" in page
    assert "<th scope=\"row\">Dec 2024</th><td>—</td><td>—</td>" in page
    assert f'data-chart-url="/kpis/mrr/segments/chart/?{QUERY}"' in page.replace("%3A", ":")


def test_without_filters_both_lines_are_the_whole_companys_stored_values(plans):
    data = logged_in(plans).get("/kpis/mrr/segments/chart/").json()
    assert [dataset["label"] for dataset in data["datasets"]] == ["A: every customer", "B: every customer"]
    assert data["datasets"][0]["data"][-1] == 390 and data["datasets"][0]["data"] == data["datasets"][1]["data"]


@pytest.mark.parametrize("query, says", [("filter=colour:red", "Unknown attribute 'colour'"),
                                         ("compare=plan:", "plan has an empty value"),
                                         ("filter=plan:pro&compare=plan:a,plan:b", "plan appears twice")])
def test_a_wrong_filter_on_either_side_is_a_400_that_says_why(plans, query, says):
    response = logged_in(plans).get(f"/kpis/mrr/segments/chart/?{query}")
    assert response.status_code == 400 and says in response.json()["detail"]


def test_a_kpi_that_cannot_follow_shows_a_note_instead_of_a_line(plans):
    owner = logged_in(plans)
    data = owner.get("/kpis/visits/segments/chart/?filter=plan:pro").json()
    assert data["datasets"][0]["label"] == f"A: plan:pro ({CANNOT_FOLLOW})"
    assert set(data["datasets"][0]["data"]) == {None}
    assert data["datasets"][1]["data"][6] == 500  # B: every customer, the stored visits of January
    page = owner.get("/kpis/visits/segments/?filter=plan:pro").content.decode()
    assert 'data-testid="segment-filter-cannot-follow"' in page and 'data-testid="segments-chart"' in page
    neither = owner.get("/kpis/visits/segments/?filter=plan:pro&compare=country:FR").content.decode()
    assert 'data-testid="segment-compare-cannot-follow"' in neither and 'data-testid="segments-chart"' not in neither


def test_the_chart_is_for_members_of_the_company_only(plans, globex):
    acme_owner = logged_in(plans)
    assert acme_owner.get(f"/kpis/mrr/segments/chart/?{QUERY}", HTTP_HOST=globex.host).status_code == 403
    assert Client(HTTP_HOST=plans.host).get(f"/kpis/mrr/segments/chart/?{QUERY}").status_code == 403
    # Globex's own chart of the same filters: none of acme's customers.
    data = logged_in(globex).get(f"/kpis/mrr/segments/chart/?{QUERY}").json()
    assert all(value in (None, 0) for dataset in data["datasets"] for value in dataset["data"])
