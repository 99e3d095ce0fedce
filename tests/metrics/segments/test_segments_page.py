"""The segments page of a KPI: two segments side by side, a wrong filter said plainly,
saved segments shared by the company and never by another."""

from datetime import date
from html import unescape

import pytest
from django.db import connection

from metrics.models import SavedSegment
from tests.metrics.dashboard.conftest import logged_in
from tests.metrics.kpis.builders import customer, recompute, subscription

JAN = date(2025, 1, 1)


@pytest.fixture
def plans(in_acme):
    subscription(customer(country="DE"), JAN, amount="100", plan="pro")
    subscription(customer(country="FR"), JAN, amount="40", plan="basic")
    recompute()
    connection.set_schema_to_public()
    return in_acme


def text(response) -> str:
    return unescape(response.content.decode())


def test_two_segments_show_side_by_side_with_their_months(plans):
    page = logged_in(plans).get("/kpis/mrr/segments/?filter=plan:pro&compare=country:FR")
    assert page.status_code == 200
    body = text(page)
    assert 'data-testid="segment-filter-value">$100' in body
    assert 'data-testid="segment-compare-value">$40' in body
    assert "<td>$100</td><td>$40</td>" in body.replace(".00", "")


def test_a_wrong_filter_is_a_400_that_names_the_known_attributes(plans):
    page = logged_in(plans).get("/kpis/mrr/segments/?filter=colour:red")
    assert page.status_code == 400
    assert "Unknown attribute 'colour'; known attributes: plan, channel" in text(page)


def test_a_saved_segment_is_offered_to_everyone_of_the_company_and_not_to_another(plans, globex):
    owner = logged_in(plans)
    response = owner.post("/kpis/mrr/segments/save/", {"name": "Pro in Germany", "filter": "country:de,plan:pro"})
    assert response.status_code == 302 and response["Location"].endswith("?filter=country%3ADE%2Cplan%3Apro")
    assert "Pro in Germany (<code>country:DE,plan:pro</code>)" in text(owner.get("/kpis/mrr/segments/"))
    assert owner.post("/kpis/mrr/segments/save/", {"name": "Bad", "filter": "colour:red"}).status_code == 400
    assert "Pro in Germany" not in text(logged_in(globex).get("/kpis/mrr/segments/"))
    connection.set_tenant(plans.tenant)
    assert list(SavedSegment.objects.values_list("name", flat=True)) == ["Pro in Germany"]


def test_the_csv_has_a_row_per_month_and_a_column_per_segment_as_the_api_says(plans, acme_owner):
    owner = logged_in(plans)
    response = owner.get("/kpis/mrr/segments.csv?filter=plan:pro&compare=country:FR")
    assert response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0] == "month,A: plan:pro,B: country:FR"
    api = [acme_owner.get(f"/api/v1/kpis/mrr/?period=2025-06&filter={text}").json()["value"]
           for text in ("plan:pro", "country:FR")]
    assert lines[-1] == "2025-06,100,40" and api == [100, 40]
    assert owner.get("/kpis/mrr/segments.csv?filter=colour:red").status_code == 400


def test_a_saved_segment_can_be_deleted(plans):
    owner = logged_in(plans)
    owner.post("/kpis/mrr/segments/save/", {"name": "French", "filter": "country:FR"})
    connection.set_tenant(plans.tenant)
    pk = SavedSegment.objects.get().pk
    connection.set_schema_to_public()
    assert owner.post(f"/kpis/mrr/segments/{pk}/delete/").status_code == 302
    assert "French" not in text(owner.get("/kpis/mrr/segments/"))
