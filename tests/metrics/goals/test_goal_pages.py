"""Goal pages: set a goal from a KPI in a few clicks, see it with its chart data,
edit and archive it; notifications list the status changes."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import Notification
from metrics.months import add_months
from metrics.models import Goal, KpiValue
from tests.conftest import host_client
from tests.metrics.goals.builders import THIS_MONTH, churn_history

@pytest.fixture
def owner_browser(acme, db):
    connection.set_tenant(acme.tenant)
    churn_history(7)
    connection.set_schema_to_public()
    client = Client(HTTP_HOST=acme.host)
    client.post("/accounts/login/", {"username": acme.owner_email, "password": acme.password})
    return client


def deadline() -> str:
    return add_months(THIS_MONTH, 5).replace(day=28).isoformat()


def test_set_a_goal_prefilled_from_a_kpi_then_see_it(owner_browser, acme):
    form = owner_browser.get("/goals/new/?kpi=customer_churn_rate")
    assert form.status_code == 200
    assert b'value="customer_churn_rate" selected' in form.content
    assert b'name="baseline_value" value="6.2"' in form.content  # last month's value, pre-filled

    created = owner_browser.post("/goals/new/", {"kpi": "customer_churn_rate", "target_value": "4",
                                                 "deadline": deadline()}, follow=True)
    assert created.status_code == 200
    html = created.content.decode()
    assert "Reduce customer churn rate to 4 %" in html
    assert "data-chart-url=" in html

    connection.set_tenant(acme.tenant)
    goal = Goal.objects.get()
    connection.set_schema_to_public()
    chart = owner_browser.get(f"/goals/{goal.pk}/chart/").json()
    assert [d["label"] for d in chart["datasets"]] == ["Actual", "Pace", "Target", "Forecast"]
    assert len(chart["labels"]) == len(chart["datasets"][0]["data"])
    # Five months of context before last month (the latest complete one), to the deadline.
    assert chart["labels"][0] == add_months(THIS_MONTH, -6).strftime("%Y-%m")
    assert chart["labels"][-1] == add_months(THIS_MONTH, 5).strftime("%Y-%m")
    actual, pace, target, forecast = (d["data"] for d in chart["datasets"])
    assert actual[0] == 7.2 and actual[5] == 6.2  # stored values, oldest first
    assert pace[5] is None and pace[6] is not None  # the pace line starts with the goal
    assert target[0] == 4.0
    assert forecast[5] == 6.2 and forecast[-1] is not None

    listing = owner_browser.get("/goals/").content.decode()
    assert goal.title in listing and "<progress" in listing


def test_the_chart_stops_at_the_evaluated_month_and_the_baseline_keeps_the_kpis_precision(owner_browser, acme):
    """The month under way is partly in (churn 0 % so far): the goal's chart does not
    plot it as if it were a fall, and the form pre-fills the baseline as stored, so the
    baseline and the current value of the same month agree (no progress made yet)."""
    connection.set_tenant(acme.tenant)
    KpiValue.objects.create(kpi="customer_churn_rate", month=THIS_MONTH, value=Decimal("0"),
                            computed_at=timezone.now())
    KpiValue.objects.filter(kpi="customer_churn_rate", month=add_months(THIS_MONTH, -1)).update(
        value=Decimal("6.2379746835"))
    connection.set_schema_to_public()
    form = owner_browser.get("/goals/new/?kpi=customer_churn_rate").content
    assert b'name="baseline_value" value="6.2379746835"' in form

    owner_browser.post("/goals/new/", {"kpi": "customer_churn_rate", "target_value": "4",
                                       "deadline": deadline()})
    connection.set_tenant(acme.tenant)
    goal = Goal.objects.get()
    connection.set_schema_to_public()
    assert goal.baseline_value == Decimal("6.2379746835")
    api = host_client(acme.host, acme.owner_token).get(f"/api/v1/goals/{goal.pk}/").json()
    assert api["current_value"] == pytest.approx(float(goal.baseline_value)) and api["progress_pct"] == 0
    chart = owner_browser.get(f"/goals/{goal.pk}/chart/").json()
    actual = chart["datasets"][0]["data"]
    this_month = chart["labels"].index(THIS_MONTH.strftime("%Y-%m"))
    assert actual[this_month - 1] == pytest.approx(6.2379746835)
    assert actual[this_month:] == [None] * (len(actual) - this_month)


def test_a_goal_against_the_kpis_direction_is_saved_with_a_warning(owner_browser, acme):
    warned = preview(owner_browser, target_value="8", deadline=deadline())
    assert "Against the KPI&#x27;s direction" in warned and "lower customer churn rate is better" in warned
    assert "Against the KPI" not in preview(owner_browser, target_value="5.5", deadline=deadline())

    page = owner_browser.post("/goals/new/", {"kpi": "customer_churn_rate", "target_value": "8",
                                              "deadline": deadline()}, follow=True).content.decode()
    assert "Increase customer churn rate to 8 %" in page
    assert "Against the KPI&#x27;s direction" in page


def test_broken_rule_shows_in_the_form(owner_browser):
    response = owner_browser.post("/goals/new/", {"kpi": "customer_churn_rate", "target_value": "4",
                                                  "deadline": "2020-01-01"})
    assert response.status_code == 200
    assert "Time-bound" in response.content.decode()


def test_edit_and_archive(owner_browser, acme):
    owner_browser.post("/goals/new/", {"kpi": "customer_churn_rate", "target_value": "4", "deadline": deadline()})
    connection.set_tenant(acme.tenant)
    goal = Goal.objects.get()
    connection.set_schema_to_public()
    owner_browser.post(f"/goals/{goal.pk}/", {"title": "Churn under 4.5", "target_value": "4.5",
                                              "deadline": deadline(), "why": "renewals"})
    owner_browser.post(f"/goals/{goal.pk}/archive/")
    connection.set_tenant(acme.tenant)
    goal.refresh_from_db()
    assert (goal.title, goal.target_value, goal.why) == ("Churn under 4.5", Decimal("4.5"), "renewals")
    assert goal.archived_at is not None


def test_chart_data_is_for_members_of_this_tenant_only(owner_browser, acme, globex):
    owner_browser.post("/goals/new/", {"kpi": "customer_churn_rate", "target_value": "4", "deadline": deadline()})
    connection.set_tenant(acme.tenant)
    goal = Goal.objects.get()
    connection.set_schema_to_public()
    assert Client(HTTP_HOST=acme.host).get(f"/goals/{goal.pk}/chart/").status_code == 403
    other = Client(HTTP_HOST=globex.host)
    other.post("/accounts/login/", {"username": globex.owner_email, "password": globex.password})
    assert other.get(f"/goals/{goal.pk}/chart/").status_code == 404


def test_notifications_page_lists_and_marks_read(owner_browser, acme):
    from django.contrib.auth import get_user_model

    connection.set_tenant(acme.tenant)
    owner = get_user_model().objects.get(username=acme.owner_email)
    Notification.objects.create(user=owner, message="“Churn” is now at risk (was on track).", link="/goals/")
    connection.set_schema_to_public()
    home = owner_browser.get("/team/").content.decode()
    assert "1<span class=\"sr-only\"> unread</span>" in home
    page = owner_browser.get("/notifications/").content.decode()
    assert "is now at risk" in page
    assert "<title>Notifications" in page and page.count("Weekly goals digest") == 1
    connection.set_tenant(acme.tenant)
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def preview(client, **fields):
    response = client.post("/goals/new/preview/", {"kpi": "customer_churn_rate", "baseline_value": "6.2",
                                                   **fields}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def test_the_form_says_at_once_how_realistic_the_goal_looks_and_saves_nothing(owner_browser, acme):
    """Churn fell 0.2 points a month for seven months: 5.5 % in five months is within
    that; 4 % would need 0.44 points a month."""
    form = owner_browser.get("/goals/new/?kpi=customer_churn_rate").content.decode()
    assert 'hx-post="/goals/new/preview/"' in form and 'id="goal-preview"' in form
    realistic = preview(owner_browser, target_value="5.5", deadline=deadline())
    assert "Looks realistic" in realistic and "It needs 0.1 % a month from 6.2 %" in realistic
    assert "moved 0.2 % a month your way" in realistic
    assert "Looks unrealistic" in preview(owner_browser, target_value="4", deadline=deadline())
    assert "Choose a KPI, a target and a deadline" in preview(owner_browser, target_value="", deadline=deadline())
    past = preview(owner_browser, target_value="5", deadline="2020-01-31")
    assert "Time-bound: the deadline must be in the future." in past
    connection.set_tenant(acme.tenant)
    assert not Goal.objects.exists()


def test_the_preview_is_for_members_only(client, acme, db):
    response = client.post("/goals/new/preview/", {"kpi": "mrr"}, HTTP_HOST=acme.host)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_list_filters_by_kpi_name(owner_browser, acme):
    owner_browser.post("/goals/new/", {"kpi": "customer_churn_rate", "target_value": "4", "deadline": deadline()})
    owner_browser.post("/goals/new/", {"kpi": "mrr", "target_value": "90000", "baseline_value": "60000",
                                       "deadline": deadline()})
    listing = owner_browser.get("/goals/").content.decode()
    assert '<option value="customer_churn_rate">Customer churn rate</option>' in listing
    assert '<option value="mrr">Monthly recurring revenue</option>' in listing
    churn_only = owner_browser.get("/goals/?kpi=customer_churn_rate").content.decode()
    assert '<option value="customer_churn_rate" selected>' in churn_only
    assert "Reduce customer churn rate" in churn_only and "Increase monthly recurring revenue" not in churn_only
