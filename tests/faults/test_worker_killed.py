"""SIGKILL the worker (as an out-of-memory kill would) during each stage of an import,
during a recompute and during a survey send. Nobody sends the task again by hand: the
dead worker's message comes back by itself (the visibility timeout, renewed by live
workers) to the next worker, which finishes the job. Each ends with the data as before
the kill, then as after the job, never in between; nobody gets an e-mail twice; and no
job stays `running`."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter

import pytest
from aiosmtpd.controller import Controller
from django.core.files.base import ContentFile
from django.db import connection

from jobs.models import Job
from jobs.tasks import GAVE_UP, MAX_INTERRUPTIONS
from metrics.imports import services, tasks as import_tasks
from metrics.kpis import tasks as kpi_tasks
from metrics.models import Customer, DataImport, Invoice, KpiCoverage, KpiValue
from surveys import tasks as survey_tasks
from surveys.delivery import INTERRUPTED
from surveys.models import Survey, SurveyRecipient
from tests.faults.conftest import VISIBILITY_TIMEOUT, kill, wait_for_statement
from tests.support.smtp import Sink, SmtpSink
from tests.support.waiting import wait_for_job, wait_until

pytestmark = pytest.mark.worker
ROWS = 60_000
STAGES = {  # a statement only that stage runs, seen in pg_stat_activity
    "reading": "COPY import_staging%",
    "checking": "CREATE TEMP TABLE import_typed%",
    "writing": "%WITH made AS (%",
}


def invoices_csv(tag: str, rows: int = ROWS, amount: int = 0) -> bytes:
    lines = ["invoice_id,date,amount,status"]
    lines += [f"f-{tag}-{n},2024-{n % 12 + 1:02d}-{n % 28 + 1:02d},{n % 5000 + amount}.{n % 100:02d},paid"
              for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def tagged(acme, committed_db, monkeypatch):
    """A tag for the test's rows; afterwards everything it committed is removed."""
    tag = uuid.uuid4().hex[:8]
    # The test sends each task to the suite's broker itself.
    monkeypatch.setattr(import_tasks.run_data_import, "delay_on_commit", lambda *args, **kwargs: None)
    yield tag
    connection.set_tenant(acme.tenant)
    Invoice.objects.filter(invoice_id__startswith=f"f-{tag}-").delete()
    imports = DataImport.objects.filter(file_name__startswith=tag)
    jobs = list(imports.values_list("job_id", flat=True))
    imports.delete()
    Job.objects.filter(pk__in=jobs).delete()
    Job.objects.filter(kind=kpi_tasks.JOB_KIND).delete()
    KpiValue.objects.all().delete()
    KpiCoverage.objects.all().delete()


def start_import(acme, tag: str, name: str = "", **csv) -> DataImport:
    connection.set_tenant(acme.tenant)
    upload = ContentFile(invoices_csv(tag, **csv), name=f"{tag}{name}.csv")
    return services.start_import(kind="invoices", upload=upload)


def tagged_invoices(acme, tag: str) -> int:
    connection.set_tenant(acme.tenant)
    return Invoice.objects.filter(invoice_id__startswith=f"f-{tag}-").count()


def job_of(acme, job_id) -> Job:
    connection.set_tenant(acme.tenant)
    return Job.objects.get(pk=job_id)


def settle(workers, timeout: float = 60) -> None:
    """Until the queue and the unacknowledged set are empty (the recompute an import
    queues has run too)."""
    client = workers.broker.client()
    wait_until(lambda: not client.llen(workers.queue) and not client.hlen("unacked"), timeout=timeout,
               interval=0.2, what="the queue to drain")


@pytest.mark.parametrize("stage", list(STAGES))
def test_an_import_killed_in_each_stage_is_as_before_then_finishes_by_itself(stage, acme, tagged, workers,
                                                                                send):
    record = start_import(acme, tagged)
    with workers.running(label="-doomed") as doomed:
        send(import_tasks.run_data_import, queue=workers.queue, args=[str(record.pk)])
        wait_for_statement(STAGES[stage])
        kill(doomed)
    killed_at = time.monotonic()
    assert tagged_invoices(acme, tagged) == 0  # as before
    assert job_of(acme, record.job_id).status == Job.Status.RUNNING  # nobody knows yet
    assert workers.unacked() == 1  # the message waits in Redis, unacknowledged

    with workers.running(label="-heir"):
        done = wait_for_job(record.job_id, acme.tenant, timeout=VISIBILITY_TIMEOUT + 60)
        back_after = time.monotonic() - killed_at
        settle(workers)
    assert done.status == Job.Status.SUCCEEDED, done.error
    assert done.interruptions == 1
    assert tagged_invoices(acme, tagged) == ROWS  # as after, every row once
    assert back_after < VISIBILITY_TIMEOUT + 60
    print(f"import killed while {stage}: finished {back_after:.1f} s after the kill")


def test_a_worker_killed_every_time_stops_being_retried(acme, tagged, workers, send):
    """The out-of-memory loop: the prefork child running the import is killed each
    time; the parent puts the message back at once (reject_on_worker_lost); after
    MAX_INTERRUPTIONS the job fails with the reason instead of being retried forever."""
    import psutil

    record = start_import(acme, tagged)
    with workers.running(pool="prefork", label="-oom") as worker:
        send(import_tasks.run_data_import, queue=workers.queue, args=[str(record.pk)])
        seen: set[int] = set()  # a killed child's backend may run its COPY a moment longer
        for _ in range(MAX_INTERRUPTIONS + 1):
            seen.add(wait_for_statement(STAGES["reading"], excluding=seen))
            for child in psutil.Process(worker.pid).children():
                child.kill()
            if job_of(acme, record.job_id).interruptions >= MAX_INTERRUPTIONS:
                break
        failed = wait_for_job(record.job_id, acme.tenant, timeout=60)
        settle(workers)
    assert failed.status == Job.Status.FAILED
    assert failed.error == GAVE_UP.format(MAX_INTERRUPTIONS)
    assert tagged_invoices(acme, tagged) == 0
    connection.set_tenant(acme.tenant)
    assert DataImport.objects.get(pk=record.pk).status == "failed"


def test_a_recompute_killed_midway_keeps_the_values_as_before_then_recomputes(acme, tagged, workers, send):
    record = start_import(acme, tagged)
    with workers.running():
        send(import_tasks.run_data_import, queue=workers.queue, args=[str(record.pk)])
        assert wait_for_job(record.job_id, acme.tenant, timeout=90).status == Job.Status.SUCCEEDED
        settle(workers)  # with the recompute it queued
    connection.set_tenant(acme.tenant)
    before = {(v.kpi, v.month): v.value for v in KpiValue.objects.all()}
    assert before
    Invoice.objects.filter(invoice_id__startswith=f"f-{tagged}-").update(amount=1)  # new figures

    job = Job.objects.create(kind=kpi_tasks.JOB_KIND)
    with workers.running(label="-doomed") as doomed:
        send(kpi_tasks.recompute_kpis, queue=workers.queue, kwargs={"job_id": str(job.pk)})
        wait_until(lambda: job_of(acme, job.pk).status == Job.Status.RUNNING, timeout=30, interval=0.005,
                   what="the recompute to start")
        kill(doomed)  # at once: its computation has begun and not committed (it takes seconds)
    connection.set_tenant(acme.tenant)
    current = {(v.kpi, v.month): v.value for v in KpiValue.objects.all()}
    killed_midway = job_of(acme, job.pk).status == Job.Status.RUNNING
    # As before while the job was cut off; all new only if it had already committed.
    assert current == before if killed_midway else current != before

    with workers.running(label="-heir"):
        done = wait_for_job(job.pk, acme.tenant, timeout=VISIBILITY_TIMEOUT + 60)
        settle(workers)
    assert done.status == Job.Status.SUCCEEDED, done.error
    assert done.interruptions == (1 if killed_midway else 0)
    connection.set_tenant(acme.tenant)
    after = {(v.kpi, v.month): v.value for v in KpiValue.objects.all()}
    assert after != before  # the new figures, all of them in one go


class SlowSink(Sink):
    """Takes 0.1 s per message, so a batch is in flight when the worker dies."""

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.1)
        return await super().handle_DATA(server, session, envelope)


# The planner settings the workers' sessions start with (libpq reads PGOPTIONS). Under
# load the claim of a batch was once planned as a nested loop that reran its subquery
# (stale statistics), took all 40 recipients at once, and all 40 were then reported
# interrupted: "rescanning" forces that plan so that each run meets it.
PLANNERS = {"as-planned": "",
            "rescanning": " ".join(f"-c {setting}=off" for setting in (
                "enable_hashjoin", "enable_mergejoin", "enable_hashagg", "enable_material", "enable_sort"))}


@pytest.mark.parametrize("planner", list(PLANNERS))
def test_a_survey_send_killed_midway_sends_nobody_twice_and_finishes_by_itself(planner, acme, committed_db,
                                                                               workers, send):
    tag = uuid.uuid4().hex[:8]
    connection.set_tenant(acme.tenant)
    customers = Customer.objects.bulk_create(
        [Customer(customer_id=f"fs-{tag}-{i}", name=f"Fault {i}", email=f"f{i}-{tag}@customers.example")
         for i in range(40)])
    emails = {c.email for c in customers}
    job = Job.objects.create(kind="survey_send")
    survey = Survey.objects.create(type="nps", name=f"Fault {tag}", throttle_days=0,
                                   audience="list", audience_customer_ids=[c.customer_id for c in customers],
                                   status=Survey.Status.SENDING, send_job=job)
    sink = SmtpSink()
    sink.handler = SlowSink()
    sink.controller = Controller(sink.handler, hostname="127.0.0.1", port=sink.port)
    workers.env.update({"KPIHUB_TEST_EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
                        "KPIHUB_SURVEY_SEND_BATCH": "5", "KPIHUB_SURVEY_SEND_RATE": "100"})
    if PLANNERS[planner]:
        workers.env["PGOPTIONS"] = f"{workers.env.get('PGOPTIONS', '')} {PLANNERS[planner]}".strip()
    try:
        with sink:
            with workers.running(label="-doomed") as doomed:
                send(survey_tasks.send_survey, queue=workers.queue, args=[str(job.pk), survey.pk])
                wait_until(lambda: len(sink.messages) >= 12, timeout=30, interval=0.01,
                           what="a dozen e-mails to leave")
                kill(doomed)
            before = Counter(m["To"] for m in sink.messages)
            with workers.running(label="-heir"):
                done = wait_for_job(job.pk, acme.tenant, timeout=VISIBILITY_TIMEOUT + 60)
                settle(workers)
        assert done.status == Job.Status.SUCCEEDED, done.error
        assert done.interruptions == 1
        received = Counter(m["To"] for m in sink.messages)
        assert max(received.values()) == 1, "somebody got the survey twice"
        connection.set_tenant(acme.tenant)
        rows = {r.email: r for r in SurveyRecipient.objects.filter(survey=survey)}
        sent = {e for e, r in rows.items() if r.status == SurveyRecipient.Status.SENT}
        interrupted = {e for e, r in rows.items()
                       if r.status == SurveyRecipient.Status.FAILED and r.reason == INTERRUPTED}
        assert sent | interrupted == emails  # nobody left queued: each sent, or reported
        assert sent <= set(received)
        assert 0 < len(interrupted) <= 5  # at most the batch in flight, and said so
        assert set(before) <= sent | interrupted
        survey.refresh_from_db()
        assert survey.status == Survey.Status.SENT
    finally:
        connection.set_tenant(acme.tenant)
        Survey.objects.filter(pk=survey.pk).delete()
        Job.objects.filter(pk=job.pk).delete()
        Customer.objects.filter(customer_id__startswith=f"fs-{tag}-").delete()


def test_a_job_whose_task_the_broker_lost_is_queued_again_by_the_reaper(acme, tagged, workers, send):
    """The worker dies and the broker loses the message too (a Redis that restarted
    without its file): beat's reaper finds the job running with no live run past twice
    the visibility timeout and queues its recorded task again."""
    from jobs import reaper

    record = start_import(acme, tagged)
    with workers.running(label="-doomed") as doomed:
        send(import_tasks.run_data_import, queue=workers.queue, args=[str(record.pk)])
        wait_for_statement(STAGES["checking"])
        kill(doomed)
    client = workers.broker.client()
    client.delete("unacked", "unacked_index")  # the broker lost it
    started = job_of(acme, record.job_id).started_at
    assert job_of(acme, record.job_id).task["name"] == import_tasks.run_data_import.name

    with workers.running(label="-heir"):
        send(reaper.reap_stuck_jobs, queue=workers.queue)  # too early: left alone
        time.sleep(2)
        assert job_of(acme, record.job_id).status == Job.Status.RUNNING
        wait_until(lambda: (time.time() - started.timestamp()) > 2 * VISIBILITY_TIMEOUT + 1, timeout=30)
        send(reaper.reap_stuck_jobs, queue=workers.queue)  # as beat does every minute
        done = wait_for_job(record.job_id, acme.tenant, timeout=60)
        settle(workers)
    assert done.status == Job.Status.SUCCEEDED, done.error
    assert done.interruptions == 1
    assert tagged_invoices(acme, tagged) == ROWS
