"""Every chart endpoint answers only what Chart.js draws: ``labels``, ``datasets`` and
``axes``. Nothing internal (the view object, the URL's arguments) leaves the server."""

from datetime import date

import pytest
from django.db import connection

from metrics.models import Goal

CHART_KEYS = {"labels", "datasets", "axes"}


@pytest.fixture
def goal_chart_url(owner, march, acme) -> str:
    created = owner.post("/goals/new/", {"kpi": "mrr", "target_value": "200", "baseline_value": "130",
                                         "deadline": date(date.today().year + 1, 6, 30).isoformat()})
    assert created.status_code == 302, created.content
    connection.set_tenant(acme.tenant)
    goal = Goal.objects.get(kpi="mrr")
    connection.set_schema_to_public()
    return f"/goals/{goal.pk}/chart/"


@pytest.mark.parametrize("url", [
    "/charts/mrr/?month=2025-03",  # a dashboard chart
    "/charts/conversion-by-channel/?month=2025-03",  # the one drawn from the raw traffic
    "/kpis/mrr/chart/?month=2025-03&range=12",  # a KPI page's chart
    "goal",  # the goal page's chart
])
def test_a_chart_answers_labels_datasets_and_axes_only(owner, march, goal_chart_url, url):
    response = owner.get(goal_chart_url if url == "goal" else url)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/json")
    assert set(response.json()) == CHART_KEYS
    assert response.json()["datasets"]
    text = response.content.decode()
    assert "object at 0x" not in text
    assert "view" not in text
