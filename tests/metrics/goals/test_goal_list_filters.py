"""The goals list filters the same on the page and in the API: one selector."""

from decimal import Decimal
from urllib.parse import quote

from django.db import connection
from django.test import Client

from accounts.models import Member
from accounts.services import add_member
from metrics.goals import services
from metrics.months import add_months
from tests.metrics.goals.builders import THIS_MONTH, churn_history

def test_the_owner_filter_ignores_case_and_spaces_on_the_page_as_in_the_api(acme, acme_owner, db):
    connection.set_tenant(acme.tenant)
    churn_history(7)
    alice = add_member(email="alice@example.com", password="alice-pass-9876", role=Member.Role.MEMBER)
    goal = services.create_goal(by=alice, kpi="customer_churn_rate", target_value=Decimal("5"),
                                deadline=add_months(THIS_MONTH, 6), title="Alice keeps customers")
    connection.set_schema_to_public()
    typed = quote("  Alice@Example.com ")

    assert [g["id"] for g in acme_owner.get(f"/api/v1/goals/?owner={typed}").json()] == [goal.pk]
    page = Client(HTTP_HOST=acme.host)
    page.post("/accounts/login/", {"username": acme.owner_email, "password": acme.password})
    listing = page.get(f"/goals/?owner={typed}").content.decode()
    assert "Alice keeps customers" in listing and "No goals yet" not in listing
    assert "Alice keeps customers" not in page.get("/goals/?owner=bob@example.com").content.decode()
