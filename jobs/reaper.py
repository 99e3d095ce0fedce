"""Jobs left `running` by a worker that died, whose task never came back.

A killed worker's task is normally delivered again within the broker's visibility
timeout (jobs/visibility.py) and runs again. If its message is gone (a broker that
restarted without keeping it), nothing would ever finish the job: it would read
`running` forever. Every minute beat fans ``reap_stuck_jobs`` out to the tenants; it
takes each job that has been running longer than twice the timeout and that
no live run holds (the job lock of ``JobReporter.claimed`` dies with its worker's
connection), and queues its recorded task again, counted as an interruption; a job
with no recorded task, or interrupted too often, is failed with the reason.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from jobs.models import Job
from jobs.tasks import GAVE_UP, JOB_LOCK, MAX_INTERRUPTIONS, fan_out_to_active_tenants, tenant_task
from kpihub.celery import app

logger = logging.getLogger(__name__)
LOST = ("Its worker stopped and its task did not come back; it cannot be started again "
        "automatically. Start it again.")


def reap_after() -> timedelta:
    """Twice the visibility timeout (10 minutes): a redelivery had its chance."""
    return timedelta(seconds=2 * settings.BROKER_VISIBILITY_TIMEOUT)


def reap(*, older_than: timedelta | None = None) -> dict:
    """In the current tenant: queue again (or fail) every dead running job."""
    since = timezone.now() - (older_than if older_than is not None else reap_after())
    requeued, failed = [], []
    for job in Job.objects.filter(status=Job.Status.RUNNING, started_at__lt=since):
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT pg_try_advisory_xact_lock({JOB_LOCK})", [str(job.pk)])
                if not cursor.fetchone()[0]:
                    continue  # a live run holds it
            task = app.tasks.get(job.task.get("name", "")) if job.task else None
            still = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING)
            if task is None or job.interruptions >= MAX_INTERRUPTIONS:
                reason = GAVE_UP.format(job.interruptions) if task else LOST
                if still.update(status=Job.Status.FAILED, error=reason, finished_at=timezone.now()):
                    failed.append(str(job.pk))
                continue
            if still.update(status=Job.Status.QUEUED, interruptions=F("interruptions") + 1):
                args, kwargs = job.task.get("args", []), job.task.get("kwargs", {})
                transaction.on_commit(lambda t=task, a=args, k=kwargs: t.apply_async(args=a, kwargs=k))
                requeued.append(str(job.pk))
    if requeued or failed:
        logger.warning("stuck jobs in %s: queued again %s, failed %s", connection.schema_name, requeued, failed)
    return {"requeued": requeued, "failed": failed}


@tenant_task()
def reap_stuck_jobs() -> dict:
    return reap()


@app.task(name="jobs.reaper.reap_stuck_jobs_for_every_tenant")
def reap_stuck_jobs_for_every_tenant() -> int:
    """On public (beat, every minute): one reaper per active tenant, spread over seconds."""
    return fan_out_to_active_tenants(reap_stuck_jobs, spacing=0.1, max_delay=20)
