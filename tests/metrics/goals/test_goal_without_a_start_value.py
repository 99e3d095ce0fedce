"""A goal whose start month has no KPI value: a 400 that says so and how to go on,
through the API, the form and its live preview (issue 16, finding 4: it answered 500).
The decision (docs/decisions.md, "Bad input (issue 16)"): no baseline is guessed from
another month; the person gives one, or a start date in a month with a value."""

from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from metrics.models import Goal, KpiValue
from metrics.months import add_months
from tests.metrics.goals.builders import THIS_MONTH
from tests.metrics.imports.test_pages import browser_for

# The start date's month is the latest complete month on that day: on the first of
# the month before last, the month before that, which has no value below.
START = add_months(THIS_MONTH, -1)
START_PERIOD = add_months(THIS_MONTH, -2)
LATEST_VALUED = add_months(THIS_MONTH, -4)


def store(values: dict) -> None:
    KpiValue.objects.bulk_create([KpiValue(kpi="customer_churn_rate", month=month, computed_at=timezone.now(),
                                           value=None if value is None else Decimal(value))
                                  for month, value in values.items()])


@pytest.fixture
def gap_before_the_start(in_acme):
    """Churn stored for months -7 .. -4; none for -3 and -2 (the start's month)."""
    store({add_months(THIS_MONTH, -back): str(6 + back / 10) for back in range(4, 8)})
    connection.set_schema_to_public()


def goal_body(**extra) -> dict:
    return {"kpi": "customer_churn_rate", "target_value": "4", "start_date": START.isoformat(),
            "deadline": add_months(THIS_MONTH, 6).replace(day=28).isoformat(), **extra}


def no_goal_saved(acme) -> bool:
    connection.set_tenant(acme.tenant)
    try:
        return not Goal.objects.exists()
    finally:
        connection.set_schema_to_public()


def test_the_api_answers_400_naming_the_month_and_what_to_give(acme_owner, acme, gap_before_the_start):
    response = acme_owner.post("/api/v1/goals/", goal_body(), format="json")
    assert response.status_code == 400, response.content
    [message] = response.json()["baseline_value"]
    assert f"no value for {START_PERIOD:%B %Y}" in message
    assert "give the baseline value" in message
    assert f"the latest month before it with a value is {LATEST_VALUED:%B %Y}" in message
    assert no_goal_saved(acme)


def test_a_given_baseline_sets_the_goal(acme_owner, gap_before_the_start):
    response = acme_owner.post("/api/v1/goals/", goal_body(baseline_value="6.5"), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["baseline_value"] == 6.5
    assert response.json()["title"].startswith("Reduce customer churn rate to 4 %")


def test_a_start_month_stored_without_a_value_is_the_same_400(acme_owner, in_acme):
    store({add_months(THIS_MONTH, -3): "6.1", START_PERIOD: None})
    connection.set_schema_to_public()
    response = acme_owner.post("/api/v1/goals/", goal_body(), format="json")
    assert response.status_code == 400
    assert f"no value for {START_PERIOD:%B %Y}" in response.json()["baseline_value"][0]


def test_the_form_and_its_preview_show_the_same_message(acme, gap_before_the_start):
    browser = browser_for(acme, acme.owner_email)
    connection.set_schema_to_public()
    page = browser.post("/goals/new/", goal_body())
    assert page.status_code == 200
    assert f"no value for {START_PERIOD:%B %Y}" in page.content.decode()
    preview = browser.post("/goals/new/preview/", goal_body())
    assert preview.status_code == 200
    assert f"no value for {START_PERIOD:%B %Y}" in preview.content.decode()
    assert no_goal_saved(acme)
