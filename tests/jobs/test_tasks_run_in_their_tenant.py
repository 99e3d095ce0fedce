"""A real worker process runs tenant tasks in the schema they were sent from, and
reports on the job record that the API serves."""


import pytest
from django.db import connection

from jobs.models import Job
from tests.support import tasks
from tests.support.waiting import wait_for_job

pytestmark = pytest.mark.worker


def test_task_runs_in_the_senders_schema_and_reports_progress(worker, acme, globex, committed_db):
    jobs = {}
    for handle in (acme, globex):
        connection.set_tenant(handle.tenant)
        job = Job.objects.create(kind="probe")
        tasks.record_schema.delay(str(job.pk), steps=4)
        jobs[handle.schema] = (job.pk, handle.tenant)
    try:
        for schema, (job_id, tenant) in jobs.items():
            job = wait_for_job(job_id, tenant)
            assert job.status == Job.Status.SUCCEEDED
            assert job.result == {"schema": schema}
            assert (job.progress_done, job.progress_total, job.progress) == (4, 4, 100.0)
    finally:
        for schema, (job_id, tenant) in jobs.items():
            connection.set_tenant(tenant)
            Job.objects.filter(pk=job_id).delete()


def test_a_failing_task_marks_its_job_failed_with_the_reason(worker, acme, committed_db):
    connection.set_tenant(acme.tenant)
    job = Job.objects.create(kind="probe")
    try:
        tasks.fail_plainly.delay(str(job.pk))
        job = wait_for_job(job.pk, acme.tenant)
        assert job.status == Job.Status.FAILED
        assert job.error == "ValueError: the input had no header row"
    finally:
        connection.set_tenant(acme.tenant)
        Job.objects.filter(pk=job.pk).delete()


def test_a_task_sent_from_public_refuses_to_run(worker, acme, committed_db):
    from jobs.tasks import NotInTenantSchema

    connection.set_schema_to_public()
    with pytest.raises(NotInTenantSchema):
        # apply() runs it here, through the same wrapper a worker uses
        tasks.record_schema.apply(args=["00000000-0000-0000-0000-000000000000"]).get()
