"""Whose goal it is: members set goals for themselves; owners and admins give a goal
to any member. The rule lives in the goal service, so the API and the pages answer
the same."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client

from accounts.models import Member
from accounts.services import add_member, issue_token
from metrics.goals import services
from metrics.models import Goal
from metrics.months import add_months
from tests.conftest import host_client
from tests.metrics.goals.builders import THIS_MONTH, churn_history

PASSWORD = "member-pass-9876"


@pytest.fixture
def team(acme, db):
    """acme with a year of churn and two plain members, Mia and Max."""
    connection.set_tenant(acme.tenant)
    churn_history(12)
    mia = add_member(email="mia@acme.example", password=PASSWORD, role=Member.Role.MEMBER)
    max_ = add_member(email="max@acme.example", password=PASSWORD, role=Member.Role.MEMBER)
    tokens = {"mia": issue_token(mia), "max": issue_token(max_)}
    connection.set_schema_to_public()
    return tokens


def deadline() -> str:
    return add_months(THIS_MONTH, 6).replace(day=28).isoformat()


def owner_of(acme, goal_id: int) -> str:
    connection.set_tenant(acme.tenant)
    email = Goal.objects.select_related("owner").get(pk=goal_id).owner.email
    connection.set_schema_to_public()
    return email


def goals_of(acme, email: str) -> int:
    connection.set_tenant(acme.tenant)
    count = Goal.objects.filter(owner__username=email).count()
    connection.set_schema_to_public()
    return count


def browser(acme, email: str, password: str) -> Client:
    client = Client(HTTP_HOST=acme.host)
    assert client.post("/accounts/login/", {"username": email, "password": password}).status_code == 302
    return client


def test_through_the_api_only_owners_and_admins_hand_a_goal_to_someone_else(acme, acme_owner, team):
    as_mia = host_client(acme.host, team["mia"])
    mine = as_mia.post("/api/v1/goals/", {"kpi": "customer_churn_rate", "target_value": "5",
                                          "deadline": deadline()}, format="json").json()

    moved = as_mia.patch(f"/api/v1/goals/{mine['id']}/", {"owner": "max@acme.example"}, format="json")
    assert moved.status_code == 403
    assert "Members set goals for themselves" in moved.json()["detail"]
    assert owner_of(acme, mine["id"]) == "mia@acme.example"

    given = as_mia.post("/api/v1/goals/", {"kpi": "customer_churn_rate", "target_value": "5",
                                           "deadline": deadline(), "owner": "max@acme.example"}, format="json")
    assert given.status_code == 403
    assert goals_of(acme, "max@acme.example") == 0

    # Naming herself is no hand-over.
    kept = as_mia.patch(f"/api/v1/goals/{mine['id']}/", {"owner": "MIA@acme.example", "why": "renewals"},
                        format="json")
    assert kept.status_code == 200 and kept.json()["owner"] == "mia@acme.example"

    # The company's owner (an admin) may, at creation and later.
    theirs = acme_owner.post("/api/v1/goals/", {"kpi": "customer_churn_rate", "target_value": "5",
                                                "deadline": deadline(), "owner": "mia@acme.example"},
                             format="json").json()
    assert theirs["owner"] == "mia@acme.example"
    moved = acme_owner.patch(f"/api/v1/goals/{mine['id']}/", {"owner": "max@acme.example"}, format="json")
    assert moved.status_code == 200 and moved.json()["owner"] == "max@acme.example"
    assert owner_of(acme, mine["id"]) == "max@acme.example"
    # Max's goal now: Mia may not take it back.
    assert as_mia.patch(f"/api/v1/goals/{mine['id']}/", {"owner": "mia@acme.example"},
                        format="json").status_code == 403
    assert owner_of(acme, mine["id"]) == "max@acme.example"


def test_the_service_refuses_a_member_who_hands_a_goal_on(acme, team):
    connection.set_tenant(acme.tenant)
    mia, max_ = (get_user_model().objects.get(username=f"{name}@acme.example") for name in ("mia", "max"))
    goal = services.create_goal(by=mia, kpi="customer_churn_rate", target_value=Decimal("5"),
                                deadline=add_months(THIS_MONTH, 6))
    with pytest.raises(PermissionDenied):
        services.update_goal(goal, by=mia, owner=max_)
    with pytest.raises(PermissionDenied):
        services.create_goal(by=mia, owner=max_, kpi="customer_churn_rate", target_value=Decimal("5"),
                             deadline=add_months(THIS_MONTH, 6))
    goal.refresh_from_db()
    assert goal.owner == mia and not Goal.objects.filter(owner=max_).exists()


def test_on_the_pages_an_admin_chooses_the_owner_and_a_member_only_themself(acme, team):
    admin = browser(acme, acme.owner_email, acme.password)
    form = admin.get("/goals/new/").content.decode()
    assert '<option value="mia@acme.example">mia@acme.example</option>' in form
    created = admin.post("/goals/new/", {"kpi": "customer_churn_rate", "target_value": "5",
                                         "deadline": deadline(), "owner": "mia@acme.example"})
    assert created.status_code == 302
    goal_id = int(created["Location"].rstrip("/").rsplit("/", 1)[1])
    assert owner_of(acme, goal_id) == "mia@acme.example"

    mia = browser(acme, "mia@acme.example", PASSWORD)
    form = mia.get("/goals/new/").content.decode()
    assert "mia@acme.example</option>" in form and "max@acme.example" not in form
    refused = mia.post("/goals/new/", {"kpi": "customer_churn_rate", "target_value": "5",
                                       "deadline": deadline(), "owner": "max@acme.example"})
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    assert goals_of(acme, "max@acme.example") == 0

    edit = {"title": "Churn down", "target_value": "5", "deadline": deadline(), "why": ""}
    page = mia.post(f"/goals/{goal_id}/", {**edit, "owner": "max@acme.example"})
    assert page.status_code == 200 and "Select a valid choice" in page.content.decode()
    assert owner_of(acme, goal_id) == "mia@acme.example"

    assert admin.post(f"/goals/{goal_id}/", {**edit, "owner": "max@acme.example"}).status_code == 302
    assert owner_of(acme, goal_id) == "max@acme.example"
    # Max's goal now: Mia's page POST reaches the service, which refuses it.
    assert mia.post(f"/goals/{goal_id}/", {**edit, "owner": "mia@acme.example"}).status_code == 403
    assert owner_of(acme, goal_id) == "max@acme.example"
