"""Scheduled sends live in the surveys table; the beat sweep on public fans out to
each active tenant, which starts what is due."""

import uuid
from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone

from jobs.models import Job
from metrics.models import Customer
from surveys import schedule, services
from surveys.models import Survey
from tests.surveys.conftest import days_ago, make_customer, make_survey
from tests.support.waiting import wait_until


def test_only_due_scheduled_surveys_start(in_acme, django_capture_on_commit_callbacks):
    make_customer()
    due = make_survey(name="Due", send_at=days_ago(0))
    later = make_survey(name="Later", send_at=days_ago(-2))
    draft = make_survey(name="Draft")
    with django_capture_on_commit_callbacks() as queued:
        assert schedule.start_due_sends() == [due.pk]
    assert len(queued) == 1
    statuses = dict(Survey.objects.values_list("name", "status"))
    assert statuses == {"Due": "sending", "Later": "scheduled", "Draft": "draft"}
    assert Job.objects.get(pk=Survey.objects.get(pk=due.pk).send_job_id).kind == "survey_send"
    assert schedule.start_due_sends() == []  # already started
    assert draft.pk and later.pk


def test_a_scheduled_survey_that_closed_first_is_not_sent(in_acme):
    survey = make_survey(send_at=days_ago(-1), closes_at=days_ago(-3))
    Survey.objects.filter(pk=survey.pk).update(send_at=days_ago(2), closes_at=days_ago(1))
    assert schedule.start_due_sends() == []
    assert Survey.objects.get(pk=survey.pk).current_status == "closed"


@pytest.mark.worker
def test_the_beat_sweep_on_public_sends_a_due_survey(worker, worker_mailbox, acme, committed_db):
    connection.set_tenant(acme.tenant)
    tag = uuid.uuid4().hex[:8]
    customer = Customer.objects.create(customer_id=f"beat-{tag}", email=f"beat-{tag}@customers.example")
    survey = services.create_survey(type="csat", name=f"Beat {tag}", audience="list",
                                    audience_customer_ids=[customer.customer_id], throttle_days=0,
                                    send_at=timezone.now(), base_url="http://acme.localhost/")
    try:
        connection.set_schema_to_public()
        schedule.sweep_surveys.delay()

        def sent() -> bool:
            connection.set_tenant(acme.tenant)
            return Survey.objects.get(pk=survey.pk).status == Survey.Status.SENT

        wait_until(sent, what="the beat sweep to send the scheduled survey")
        received = Counter(m["To"] for m in worker_mailbox.messages)
        assert received[customer.email] == 1
    finally:
        connection.set_tenant(acme.tenant)
        job_id = Survey.objects.get(pk=survey.pk).send_job_id
        Survey.objects.filter(pk=survey.pk).delete()
        Job.objects.filter(pk=job_id).delete()
        customer.delete()
