"""Goals are re-evaluated by Celery, and a status change reaches the owner in the app
and by e-mail."""


import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from accounts.models import Notification
from metrics.goals import services
from metrics.months import end_of
from metrics.models import Goal, GoalEvaluation, KpiValue
from tests.metrics.goals.builders import THIS_MONTH, churn, make_goal
from tests.support.smtp import html_of, text_of
from tests.support.waiting import wait_until



def test_status_change_notifies_the_owner_in_the_app_and_by_email(in_acme, smtp_sink,
                                                                   django_capture_on_commit_callbacks):
    owner = get_user_model().objects.get(username="owner@acme.example")
    goal = make_goal(owner)
    first_status = goal.status
    churn(THIS_MONTH, 3.9)  # the goal is met this month
    with django_capture_on_commit_callbacks(execute=True):
        services.evaluate_open_goals(as_of=end_of(THIS_MONTH))

    goal.refresh_from_db()
    assert goal.status == "achieved" != first_status
    note = Notification.objects.get(user=owner)
    assert "achieved" in note.message and goal.title in note.message
    assert len(smtp_sink.messages) == 1
    mail = smtp_sink.messages[0]
    assert mail["To"] == "owner@acme.example"
    assert "achieved" in mail["Subject"].lower()
    assert goal.title in text_of(mail) and goal.title in html_of(mail)


def test_first_evaluation_of_a_new_goal_sends_nothing(in_acme, smtp_sink, django_capture_on_commit_callbacks):
    owner = get_user_model().objects.get(username="owner@acme.example")
    with django_capture_on_commit_callbacks(execute=True):
        make_goal(owner)
    assert smtp_sink.messages == []
    assert not Notification.objects.exists()


@pytest.mark.worker
def test_daily_job_reevaluates_goals_of_every_active_tenant_in_a_worker(worker, acme, committed_db):
    from metrics.goals.tasks import evaluate_goals_for_every_tenant

    connection.set_tenant(acme.tenant)
    owner = get_user_model().objects.get(username=acme.owner_email)
    goal = make_goal(owner)
    GoalEvaluation.objects.filter(goal=goal).delete()
    try:
        connection.set_schema_to_public()
        assert evaluate_goals_for_every_tenant.apply().get() >= 2  # acme and globex at least
        connection.set_tenant(acme.tenant)
        wait_until(GoalEvaluation.objects.filter(goal=goal).exists, timeout=20,
                   what="the worker to evaluate the goal")
    finally:
        connection.set_tenant(acme.tenant)
        Goal.objects.filter(pk=goal.pk).delete()
        KpiValue.objects.filter(kpi="customer_churn_rate").delete()


def test_weekly_digest_goes_to_opted_in_owners_and_admins_only(in_acme, smtp_sink):
    from accounts.models import Member
    from accounts.services import add_member
    from metrics.goals.notifications import send_weekly_digest

    owner = get_user_model().objects.get(username="owner@acme.example")
    goal = make_goal(owner)
    admin = add_member(email="ada@acme.example", password="admin-pass-9876", role=Member.Role.ADMIN)
    member = add_member(email="mo@acme.example", password="member-pass-9876", role=Member.Role.MEMBER)
    assert send_weekly_digest() == 0  # nobody asked for it
    Member.objects.filter(user__in=[admin, member]).update(weekly_goal_digest=True)

    assert send_weekly_digest() == 1
    (mail,) = smtp_sink.messages
    assert mail["To"] == "ada@acme.example"
    assert goal.title in text_of(mail) and goal.title in html_of(mail)


def test_digest_opt_in_on_the_notifications_page(acme, db):
    from django.test import Client

    from accounts.models import Member

    client = Client(HTTP_HOST=acme.host)
    client.post("/accounts/login/", {"username": acme.owner_email, "password": acme.password})
    client.post("/notifications/", {"weekly_goal_digest": "on"})
    connection.set_tenant(acme.tenant)
    assert Member.objects.get(user__username=acme.owner_email).weekly_goal_digest is True
