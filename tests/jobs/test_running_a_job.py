"""JobReporter.running, the one way a task runs work it reports on a Job (the tracked
tasks, the KPI recompute and the imports all go through it)."""

import pytest
from django.db import OperationalError

from jobs.models import Job
from jobs.tasks import JobReporter


@pytest.fixture
def job(in_acme):
    return Job.objects.create(kind="probe")


def test_the_block_s_result_marks_the_job_succeeded(job):
    with JobReporter.running(job.pk) as reporter:
        assert Job.objects.get(pk=job.pk).status == Job.Status.RUNNING
        reporter.result = {"rows": 3}
    job.refresh_from_db()
    assert (job.status, job.result, reporter.error) == (Job.Status.SUCCEEDED, {"rows": 3}, None)
    assert job.finished_at is not None


def test_an_error_fails_the_job_with_its_class_and_message_and_goes_no_further(job):
    with JobReporter.running(job.pk, reason="The import failed: {}. Nothing was written.") as reporter:
        raise ValueError("no header row")
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == "The import failed: ValueError: no header row. Nothing was written."
    assert isinstance(reporter.error, ValueError)


def test_a_transient_error_propagates_so_that_celery_retries(job):
    with pytest.raises(OperationalError):
        with JobReporter.running(job.pk):
            raise OperationalError("server closed the connection unexpectedly")
    assert Job.objects.get(pk=job.pk).status == Job.Status.RUNNING  # the retry starts it again


def test_a_block_that_finished_the_job_itself_keeps_its_outcome(job):
    with JobReporter.running(job.pk) as reporter:
        reporter.fail("3 rows have errors; nothing was written")
    job.refresh_from_db()
    assert (job.status, job.error) == (Job.Status.FAILED, "3 rows have errors; nothing was written")


def test_without_a_job_nothing_is_written_and_errors_are_still_caught(job):
    with JobReporter.running(None) as reporter:
        raise RuntimeError("disk full")
    assert str(reporter.error) == "disk full"
    assert Job.objects.get(pk=job.pk).status == Job.Status.QUEUED
