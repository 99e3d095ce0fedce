"""A real worker sends the survey started through the API; a retried task, a second
click and a worker killed in the middle of a batch never send anybody two e-mails."""

from __future__ import annotations

import asyncio
import os
import signal
import time
import uuid
from collections import Counter

import pytest
from django.db import connection

from jobs.models import Job
from metrics.models import Customer
from surveys import tasks
from surveys.delivery import INTERRUPTED
from surveys.models import Survey, SurveyRecipient
from tests.conftest import host_client
from tests.support.smtp import Sink, SmtpSink
from tests.support.waiting import wait_for_job, wait_until

pytestmark = pytest.mark.worker
Status = SurveyRecipient.Status


@pytest.fixture
def committed_customers(acme, committed_db):
    """Customers with addresses unique to this test, committed for the worker; removed
    afterwards with the surveys and jobs the test made."""
    connection.set_tenant(acme.tenant)
    tag = uuid.uuid4().hex[:8]
    made = []

    def make(count: int) -> list[str]:
        rows = [Customer(customer_id=f"w-{tag}-{i}", name=f"Worker test {i}",
                         email=f"w{i}-{tag}@customers.example") for i in range(count)]
        made.extend(Customer.objects.bulk_create(rows))
        return [row.email for row in rows]

    yield make
    connection.set_tenant(acme.tenant)
    surveys = Survey.objects.filter(recipients__email__endswith=f"-{tag}@customers.example").distinct()
    jobs = [s.send_job_id for s in surveys if s.send_job_id]
    Survey.objects.filter(pk__in=[s.pk for s in surveys]).delete()
    Survey.objects.filter(name__endswith=tag).delete()
    Job.objects.filter(pk__in=jobs).delete()
    Customer.objects.filter(pk__in=[c.pk for c in made]).delete()


def list_survey(acme, emails: list[str], name: str) -> int:
    connection.set_tenant(acme.tenant)
    ids = list(Customer.objects.filter(email__in=emails).values_list("customer_id", flat=True))
    owner = host_client(acme.host, acme.owner_token)
    created = owner.post("/api/v1/surveys/", {
        "type": "nps", "name": name, "throttle_days": 0,
        "audience": {"customer_ids": ids}}, format="json")
    assert created.status_code == 201, created.content
    return created.json()["id"]


def test_sending_from_the_api_with_a_real_worker(worker, worker_mailbox, acme, committed_customers):
    emails = committed_customers(6)
    tag = emails[0].split("-", 1)[1].split("@")[0]
    survey_id = list_survey(acme, emails, f"API send {tag}")
    owner = host_client(acme.host, acme.owner_token)

    sent = owner.post(f"/api/v1/surveys/{survey_id}/send/")
    assert sent.status_code == 202
    assert owner.post(f"/api/v1/surveys/{survey_id}/send/").status_code == 409  # a second click
    job = wait_for_job(sent.json()["job_id"], acme.tenant)
    assert job.status == Job.Status.SUCCEEDED, job.error

    received = Counter(m["To"] for m in worker_mailbox.messages if m["To"] in emails)
    assert received == Counter({email: 1 for email in emails})
    detail = owner.get(f"/api/v1/surveys/{survey_id}/").json()
    assert (detail["status"], detail["sent"], detail["failed"]) == ("sent", 6, 0)


def test_the_same_task_delivered_twice_sends_each_email_once(worker, worker_mailbox, acme,
                                                             committed_customers):
    emails = committed_customers(8)
    tag = emails[0].split("-", 1)[1].split("@")[0]
    survey_id = list_survey(acme, emails, f"Twice {tag}")
    connection.set_tenant(acme.tenant)
    job = Job.objects.create(kind="survey_send")
    Survey.objects.filter(pk=survey_id).update(status=Survey.Status.SENDING, send_job=job)
    tasks.send_survey.delay(str(job.pk), survey_id)
    tasks.send_survey.delay(str(job.pk), survey_id)  # a redelivery of the same message
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        connection.set_tenant(acme.tenant)
        if not SurveyRecipient.objects.filter(survey_id=survey_id, status__in=["queued", "sending"]).exists():
            break
        time.sleep(0.1)
    time.sleep(1.0)  # let the second delivery finish too
    received = Counter(m["To"] for m in worker_mailbox.messages if m["To"] in emails)
    assert received == Counter({email: 1 for email in emails})


class SlowSink(Sink):
    """Takes 0.25 s per message, so a batch is still in flight when the worker dies."""

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.25)
        return await super().handle_DATA(server, session, envelope)


def test_a_worker_killed_in_the_middle_of_a_batch_sends_nobody_twice(acme, committed_customers):
    from tests.support.worker import celery_worker

    emails = committed_customers(20)
    tag = emails[0].split("-", 1)[1].split("@")[0]
    survey_id = list_survey(acme, emails, f"Killed {tag}")
    connection.set_tenant(acme.tenant)
    job = Job.objects.create(kind="survey_send")
    Survey.objects.filter(pk=survey_id).update(status=Survey.Status.SENDING, send_job=job)

    sink = SmtpSink()
    sink.handler = SlowSink()
    from aiosmtpd.controller import Controller

    sink.controller = Controller(sink.handler, hostname="127.0.0.1", port=sink.port)
    queue = f"kpihub-test-kill-{tag}"
    env = {"KPIHUB_TEST_EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
           "KPIHUB_SURVEY_SEND_BATCH": "5", "KPIHUB_SURVEY_SEND_RATE": "100"}
    with sink:
        with celery_worker(queue=queue, extra_env=env, label="-doomed") as doomed:
            tasks.send_survey.apply_async(args=[str(job.pk), survey_id], queue=queue)
            deadline = time.monotonic() + 30
            # Kill after 7 messages: the second batch of five is claimed, two of it sent.
            while len(sink.messages) < 7 and time.monotonic() < deadline:
                time.sleep(0.02)
            os.kill(doomed.pid, signal.SIGKILL)
            doomed.wait(timeout=10)
        delivered_before = Counter(m["To"] for m in sink.messages)
        wait_for_lock_release(survey_id)

        # Redis hands the unacknowledged task to another worker; do the same now.
        with celery_worker(queue=queue, extra_env=env, label="-heir"):
            tasks.send_survey.apply_async(args=[str(job.pk), survey_id], queue=queue)
            finished = wait_for_job(job.pk, acme.tenant)
        assert finished.status == Job.Status.SUCCEEDED, finished.error

    connection.set_tenant(acme.tenant)
    received = Counter(m["To"] for m in sink.messages)
    assert max(received.values()) == 1, "somebody got the survey twice"
    rows = {r.email: r for r in SurveyRecipient.objects.filter(survey_id=survey_id)}
    interrupted = {e for e, r in rows.items() if r.status == Status.FAILED and r.reason == INTERRUPTED}
    sent = {e for e, r in rows.items() if r.status == Status.SENT}
    assert sent | interrupted == set(emails)
    assert sent <= set(received)
    assert interrupted, "the batch in flight is reported, not silently resent"
    assert set(received) - sent <= interrupted
    assert not (interrupted - set(delivered_before)) & set(received)  # never resent later


def wait_for_lock_release(survey_id: int, timeout: float = 10) -> None:
    """The dead worker's database session ends, and its advisory lock with it."""
    def released() -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s",
                           [survey_id])
            return cursor.fetchone()[0] == 0

    wait_until(released, timeout=timeout, what="the killed worker's lock to be released")
