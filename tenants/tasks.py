"""Celery entry points of a company leaving: its export (in its schema, reporting on a
Job) and the daily purge of deleted companies (on public). Thin: the work is in
tenants/export.py and tenants/services.py."""

from __future__ import annotations

from django.db import transaction

from jobs.models import Job
from jobs.tasks import JobReporter, tenant_task
from kpihub.celery import app
from tenants import export, services


@tenant_task()
def export_company(job_id: str) -> dict | None:
    """In the tenant's schema: build its export archive, reporting on the job."""
    with JobReporter.running(job_id, label="company export") as reporter:
        reporter.result = export.write_archive(reporter=reporter, job_id=job_id)
    return reporter.result


def request_export(*, by=None) -> Job:
    """Record the export's Job and queue its task once the transaction commits (the
    worker must find the job). A big company's goes to the bulk queue (kpihub/queues.py)."""
    job = Job.objects.create(kind=export.JOB_KIND, created_by=by if by is not None and by.is_authenticated else None)
    transaction.on_commit(lambda: export_company.delay(job_id=str(job.pk)))
    return job


@app.task(name="tenants.tasks.purge_deleted_companies")
def purge_deleted_companies() -> list[str]:
    """On public (Celery beat, daily): purge the companies whose grace period is over."""
    return services.purge_due_companies()
