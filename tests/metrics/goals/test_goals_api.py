"""The goals API: SMART rules as 400s, evaluation as of a date, roles, isolation."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Member
from accounts.services import add_member, issue_token
from metrics.months import add_months, month_of
from metrics.models import Goal, GoalStatusChange, KpiValue
from tests.conftest import host_client

TODAY = timezone.localdate()
THIS_MONTH = month_of(TODAY)


def store_churn(values: dict[int, float | None]) -> None:
    """customer_churn_rate for months counted back from this month (0 = this month)."""
    KpiValue.objects.bulk_create([
        KpiValue(kpi="customer_churn_rate", month=add_months(THIS_MONTH, -back),
                 value=None if value is None else Decimal(str(value)), computed_at=timezone.now())
        for back, value in values.items()])


@pytest.fixture
def churn_history(in_acme):
    # Falling about 0.25 points a month for a year, 6 % last month.
    store_churn({back: 6.0 + 0.25 * (back - 1) for back in range(1, 13)})
    connection.set_schema_to_public()


def deadline_in(months: int) -> str:
    return add_months(THIS_MONTH, months).replace(day=28).isoformat()


def test_reduce_churn_goal_takes_baseline_from_the_kpi_and_titles_itself(acme_owner, churn_history):
    response = acme_owner.post("/api/v1/goals/", {"kpi": "customer_churn_rate", "target_value": "4",
                                                  "deadline": deadline_in(8)}, format="json")
    assert response.status_code == 201, response.content
    goal = response.json()
    assert goal["baseline_value"] == 6.0
    assert goal["title"].startswith("Reduce customer churn rate to 4 % by ")
    assert goal["achievability"] == "realistic"  # needs -0.25/month; history shows -0.25
    assert goal["status"] in ("on_track", "at_risk", "off_track", "achieved")
    for field in ("period", "current_value", "time_elapsed_pct", "progress_pct", "forecast_value",
                  "probability", "history"):
        assert field in goal


def test_a_goal_against_the_kpis_direction_is_allowed_with_a_warning(acme_owner, churn_history):
    """goals.md: "increase churn" is allowed, with a warning."""
    response = acme_owner.post("/api/v1/goals/", {"kpi": "customer_churn_rate", "target_value": "8",
                                                  "deadline": deadline_in(8)}, format="json")
    assert response.status_code == 201, response.content
    goal = response.json()
    assert goal["title"].startswith("Increase customer churn rate to 8 %")
    [warning] = goal["warnings"]
    assert "Against the KPI's direction" in warning and "lower customer churn rate is better" in warning
    assert "from 6 to 8" in warning
    assert acme_owner.get(f"/api/v1/goals/{goal['id']}/").json()["warnings"] == [warning]

    good_way = acme_owner.post("/api/v1/goals/", {"kpi": "customer_churn_rate", "target_value": "4",
                                                  "deadline": deadline_in(8)}, format="json").json()
    assert good_way["warnings"] == []


@pytest.mark.parametrize(("payload", "field", "fragment"), [
    ({"kpi": "nope", "target_value": "1"}, "kpi", "Unknown KPI"),
    ({"kpi": "customer_churn_rate", "target_value": "6"}, "target_value", "differ from the baseline"),
    ({"kpi": "customer_churn_rate", "target_value": "4", "deadline": "2020-01-01"}, "deadline", "future"),
    ({"kpi": "customer_churn_rate", "target_value": "4", "deadline": "2099-01-01"}, "deadline", "5 years"),
    ({"kpi": "mrr", "target_value": "1000"}, "baseline_value", "no data yet"),
    ({"kpi": "customer_churn_rate", "target_value": "four"}, "target_value", "valid number"),
])
def test_a_broken_smart_rule_is_a_400_naming_it(acme_owner, churn_history, payload, field, fragment):
    body = {"deadline": deadline_in(6), **payload}
    response = acme_owner.post("/api/v1/goals/", body, format="json")
    assert response.status_code == 400
    assert fragment in " ".join(response.json()[field])


def test_goal_moves_with_as_of_and_records_status_changes(acme_owner, churn_history):
    goal = acme_owner.post("/api/v1/goals/", {"kpi": "customer_churn_rate", "target_value": "5.5",
                                              "deadline": deadline_in(3)}, format="json").json()
    now = acme_owner.get(f"/api/v1/goals/{goal['id']}/").json()
    assert now["current_value"] == 6.0  # last month, the latest complete one
    connection.set_tenant(_acme())
    store_churn({0: 5.4})
    connection.set_schema_to_public()
    later = acme_owner.get(f"/api/v1/goals/{goal['id']}/?as_of={_last_day(THIS_MONTH).isoformat()}").json()
    assert later["period"] == THIS_MONTH.strftime("%Y-%m")
    assert later["current_value"] == 5.4
    assert later["status"] == "achieved"
    bad = acme_owner.get(f"/api/v1/goals/{goal['id']}/?as_of=31-12-2026")
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.json()["as_of"][0]


def _acme():
    from tenants.models import Tenant

    return Tenant.objects.get(slug="acme")


def _last_day(month: date) -> date:
    from metrics.months import end_of

    return end_of(month)


def test_filters_by_status_owner_and_kpi(acme_owner, churn_history):
    acme_owner.post("/api/v1/goals/", {"kpi": "customer_churn_rate", "target_value": "4",
                                       "deadline": deadline_in(8)}, format="json")
    everything = acme_owner.get("/api/v1/goals/").json()
    assert len(everything) == 1
    status = everything[0]["status"]
    assert len(acme_owner.get(f"/api/v1/goals/?status={status}").json()) == 1
    assert acme_owner.get("/api/v1/goals/?status=missed").json() == []
    assert len(acme_owner.get("/api/v1/goals/?owner=owner@acme.example").json()) == 1
    assert acme_owner.get("/api/v1/goals/?kpi=mrr").json() == []


def test_members_change_only_their_own_goals(acme, acme_owner, churn_history):
    connection.set_tenant(acme.tenant)
    member = add_member(email="m@acme.example", password="member-pass-9876", role=Member.Role.MEMBER)
    token = issue_token(member)
    connection.set_schema_to_public()
    as_member = host_client(acme.host, token)

    owners = acme_owner.post("/api/v1/goals/", {"kpi": "customer_churn_rate", "target_value": "4",
                                                "deadline": deadline_in(8)}, format="json").json()
    assert as_member.patch(f"/api/v1/goals/{owners['id']}/", {"why": "x"}, format="json").status_code == 403
    assert as_member.delete(f"/api/v1/goals/{owners['id']}/").status_code == 403
    assigned = as_member.post("/api/v1/goals/", {"kpi": "customer_churn_rate", "target_value": "4",
                                                 "deadline": deadline_in(8), "owner": "owner@acme.example"},
                              format="json")
    assert assigned.status_code == 403
    mine = as_member.post("/api/v1/goals/", {"kpi": "customer_churn_rate", "target_value": "5",
                                             "deadline": deadline_in(8)}, format="json").json()
    assert as_member.patch(f"/api/v1/goals/{mine['id']}/", {"why": "renewals"}, format="json").json()["why"] == "renewals"
    assert acme_owner.patch(f"/api/v1/goals/{mine['id']}/", {"target_value": "4.5"},
                            format="json").json()["target_value"] == 4.5
    assert as_member.delete(f"/api/v1/goals/{mine['id']}/").status_code == 204
    assert [g["id"] for g in as_member.get("/api/v1/goals/").json()] == [owners["id"]]


def test_goals_are_invisible_to_another_tenant(acme_owner, globex_owner, churn_history):
    goal = acme_owner.post("/api/v1/goals/", {"kpi": "customer_churn_rate", "target_value": "4",
                                              "deadline": deadline_in(8)}, format="json").json()
    assert globex_owner.get(f"/api/v1/goals/{goal['id']}/").status_code == 404
    assert globex_owner.patch(f"/api/v1/goals/{goal['id']}/", {"why": "x"}, format="json").status_code == 404
    assert globex_owner.get("/api/v1/goals/").json() == []


def test_status_change_is_recorded_once(acme_owner, churn_history):
    goal_id = acme_owner.post("/api/v1/goals/", {"kpi": "customer_churn_rate", "target_value": "4",
                                                 "deadline": deadline_in(8)}, format="json").json()["id"]
    connection.set_tenant(_acme())
    goal = Goal.objects.get(pk=goal_id)
    from metrics.goals.services import record_evaluation

    record_evaluation(goal, as_of=TODAY)
    record_evaluation(goal, as_of=TODAY)
    assert GoalStatusChange.objects.filter(goal=goal).count() == 1
    assert goal.evaluations.count() == 1


def test_goal_on_a_custom_metric_and_on_decreasing_kpis(acme, acme_owner, in_acme):
    from metrics.models import CustomMetric, MetricValue

    CustomMetric.objects.create(slug="nps_internal", name="Team NPS", unit="score", direction="up")
    MetricValue.objects.create(metric="nps_internal", date=add_months(THIS_MONTH, -1), value=Decimal("20"))
    KpiValue.objects.create(kpi="nps_internal", month=add_months(THIS_MONTH, -1), value=Decimal("20"),
                            computed_at=timezone.now())
    for key, baseline in (("cac", "300"), ("avg_resolution_hours", "9")):
        KpiValue.objects.create(kpi=key, month=add_months(THIS_MONTH, -1), value=Decimal(baseline),
                                computed_at=timezone.now())
    connection.set_schema_to_public()

    custom = acme_owner.post("/api/v1/goals/", {"kpi": "nps_internal", "target_value": "40",
                                                "deadline": deadline_in(6)}, format="json")
    assert custom.status_code == 201, custom.content
    assert custom.json()["title"].startswith("Increase team NPS to 40 by")
    for key, target in (("cac", "200"), ("avg_resolution_hours", "4")):
        goal = acme_owner.post("/api/v1/goals/", {"kpi": key, "target_value": target,
                                                  "deadline": deadline_in(6)}, format="json").json()
        assert goal["title"].startswith("Reduce ")
        assert goal["progress_pct"] == 0.0


def test_listing_goals_costs_the_same_queries_for_one_goal_or_many(acme_owner, churn_history):
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    def list_queries() -> int:
        with CaptureQueriesContext(db) as captured:
            assert acme_owner.get("/api/v1/goals/").status_code == 200
        return len([q for q in captured.captured_queries if not q["sql"].startswith("SET ")])

    acme_owner.post("/api/v1/goals/", {"kpi": "customer_churn_rate", "target_value": "4",
                                       "deadline": deadline_in(8)}, format="json")
    one = list_queries()
    for target in ("3", "3.5", "4.5"):
        acme_owner.post("/api/v1/goals/", {"kpi": "customer_churn_rate", "target_value": target,
                                           "deadline": deadline_in(8)}, format="json")
    assert list_queries() == one


def test_listing_goals_on_custom_metrics_reads_the_metrics_once(acme_owner, in_acme):
    """Each goal's warnings need its KPI; a custom metric is not in the catalog, and
    looking it up per goal would cost queries per goal."""
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    from metrics.models import CustomMetric

    for slug in ("team_nps", "uptime", "backlog"):
        CustomMetric.objects.create(slug=slug, name=slug, unit="count", direction="down")
    connection.set_schema_to_public()

    def list_queries() -> int:
        with CaptureQueriesContext(db) as captured:
            listed = acme_owner.get("/api/v1/goals/")
        assert listed.status_code == 200
        return len([q for q in captured.captured_queries if not q["sql"].startswith("SET ")])

    def add_goal(slug: str) -> None:
        response = acme_owner.post("/api/v1/goals/", {"kpi": slug, "target_value": "40", "baseline_value": "20",
                                                      "deadline": deadline_in(6)}, format="json")
        assert response.status_code == 201, response.content

    add_goal("team_nps")
    one = list_queries()
    add_goal("uptime")
    add_goal("backlog")
    assert list_queries() == one
    # Against a "lower is better" metric, each listed goal carries its warning.
    assert all(goal["warnings"] for goal in acme_owner.get("/api/v1/goals/").json())
