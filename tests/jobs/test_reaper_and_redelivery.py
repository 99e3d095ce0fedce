"""The jobs reaper and a job's runs, in one process: a second connection plays the
live worker holding a job's lock; kombu's ``redelivered`` flag is set on the task's
request as a redelivered message sets it."""

from datetime import timedelta

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from jobs import reaper
from jobs.models import Job
from jobs.tasks import GAVE_UP, JOB_LOCK, MAX_INTERRUPTIONS, JobReporter, JobSkipped
from tests.support import tasks as probe_tasks

OLD = timezone.now() - timedelta(hours=1)


@pytest.fixture
def stuck(in_acme):
    def make(**fields):
        values = {"kind": "probe", "status": Job.Status.RUNNING, "started_at": OLD,
                  "task": {"name": probe_tasks.record_schema.name, "args": [], "kwargs": {"steps": 1}}}
        return Job.objects.create(**{**values, **fields})
    return make


@pytest.fixture
def sent(monkeypatch):
    calls = []
    monkeypatch.setattr(probe_tasks.record_schema, "apply_async",
                        lambda args=None, kwargs=None, **options: calls.append((args, kwargs)))
    return calls


def test_a_dead_running_job_is_queued_again_with_its_task(stuck, sent, django_capture_on_commit_callbacks):
    job = stuck()
    with django_capture_on_commit_callbacks(execute=True):
        result = reaper.reap()
    job.refresh_from_db()
    assert result == {"requeued": [str(job.pk)], "failed": []}
    assert (job.status, job.interruptions) == (Job.Status.QUEUED, 1)
    assert sent == [([], {"steps": 1})]


def test_a_job_a_live_run_holds_is_left_alone(stuck, sent, django_capture_on_commit_callbacks):
    job = stuck()
    params = connection.get_connection_params()
    with psycopg.connect(**{k: v for k, v in params.items() if k in ("host", "port", "user", "password", "dbname")},
                         autocommit=True) as live:
        live.execute(f"SET search_path TO {connection.schema_name}")
        live.execute(f"SELECT pg_advisory_lock({JOB_LOCK})", [str(job.pk)])
        with django_capture_on_commit_callbacks(execute=True):
            assert reaper.reap() == {"requeued": [], "failed": []}
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING and sent == []


def test_recent_jobs_wait_for_the_redelivery(stuck, sent):
    job = stuck(started_at=timezone.now())
    assert reaper.reap() == {"requeued": [], "failed": []}
    assert Job.objects.get(pk=job.pk).status == Job.Status.RUNNING


def test_no_recorded_task_or_too_many_interruptions_fail_the_job(stuck, sent):
    lost = stuck(task={})
    tired = stuck(interruptions=MAX_INTERRUPTIONS)
    reaper.reap()
    lost.refresh_from_db()
    tired.refresh_from_db()
    assert (lost.status, lost.error) == (Job.Status.FAILED, reaper.LOST)
    assert (tired.status, tired.error) == (Job.Status.FAILED, GAVE_UP.format(MAX_INTERRUPTIONS))
    assert sent == []


class Redelivered:
    """What Celery's current_task looks like to a redelivered message's run."""

    def __init__(self, redelivered: bool):
        self.request = type("Request", (), {"delivery_info": {"redelivered": redelivered}, "id": "t",
                                            "task": "probe", "args": [], "kwargs": {}, "is_eager": False,
                                            "headers": {}, "get": lambda self, key, default=None: default})()


def test_a_redelivered_run_of_a_running_job_counts_an_interruption_and_gives_up_past_the_limit(
        stuck, monkeypatch):
    job = stuck(interruptions=MAX_INTERRUPTIONS - 1)
    monkeypatch.setattr("jobs.tasks.current_task", Redelivered(True))
    with JobReporter.running(job.pk):
        pass
    job.refresh_from_db()
    assert (job.status, job.interruptions) == (Job.Status.SUCCEEDED, MAX_INTERRUPTIONS)

    again = stuck(interruptions=MAX_INTERRUPTIONS)
    with pytest.raises(JobSkipped):
        with JobReporter.running(again.pk):
            raise AssertionError("the body must not run")
    again.refresh_from_db()
    assert (again.status, again.error) == (Job.Status.FAILED, GAVE_UP.format(MAX_INTERRUPTIONS))


def test_a_retry_after_a_transient_error_is_not_an_interruption(stuck, monkeypatch):
    job = stuck()
    monkeypatch.setattr("jobs.tasks.current_task", Redelivered(False))
    with JobReporter.running(job.pk):
        pass
    job.refresh_from_db()
    assert (job.status, job.interruptions) == (Job.Status.SUCCEEDED, 0)


def test_a_finished_job_never_runs_again(stuck):
    job = stuck(status=Job.Status.SUCCEEDED)
    with pytest.raises(JobSkipped):
        with JobReporter.running(job.pk):
            raise AssertionError("the body must not run")
