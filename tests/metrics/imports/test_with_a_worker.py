"""Real worker processes: one is killed (SIGKILL) in the middle of a large import; the
data is as before, the import reads as failed with the reason, and running it again
on a healthy worker imports every row once."""

from __future__ import annotations

import os
import signal
import time
import uuid

import pytest
from django.core.files.base import ContentFile
from django.db import connection

from jobs.models import Job
from metrics.imports import running, services, tasks
from metrics.models import DataImport, Invoice, KpiCoverage, KpiValue
from tests.support.waiting import wait_until

pytestmark = pytest.mark.worker
ROWS = 300_000


def big_invoices(tag: str) -> bytes:
    lines = ["invoice_id,date,amount,status"]
    lines += [f"kill-{tag}-{n},2024-{n % 12 + 1:02d}-{n % 28 + 1:02d},{n % 5000}.{n % 100:02d},paid"
              for n in range(ROWS)]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def tagged(acme, committed_db, monkeypatch):
    """A unique tag; afterwards every committed row of the test is removed, and the KPI
    values the healthy worker's follow-up recompute wrote too."""
    tag = uuid.uuid4().hex[:8]
    monkeypatch.setattr(tasks.run_data_import, "delay_on_commit", lambda *args, **kwargs: None)
    yield tag
    connection.set_tenant(acme.tenant)
    Invoice.objects.filter(invoice_id__startswith=f"kill-{tag}-").delete()
    jobs = list(DataImport.objects.filter(file_name=f"{tag}.csv").values_list("job_id", flat=True))
    DataImport.objects.filter(file_name=f"{tag}.csv").delete()
    Job.objects.filter(pk__in=jobs).delete()
    time.sleep(0.5)  # the recompute's goal evaluation follows it
    KpiValue.objects.all().delete()
    KpiCoverage.objects.all().delete()



def test_a_worker_killed_mid_import_leaves_the_data_as_before_and_a_rerun_is_safe(acme, tagged):
    from tests.support.worker import celery_worker

    connection.set_tenant(acme.tenant)
    upload = ContentFile(big_invoices(tagged), name=f"{tagged}.csv")
    record = services.start_import(kind="invoices", upload=upload)
    doomed_queue = f"kpihub-test-import-kill-{tagged}"
    with celery_worker(queue=doomed_queue, label="-import-doomed") as doomed:
        tasks.run_data_import.apply_async(args=[str(record.pk)], queue=doomed_queue)

        def staged_everything():
            connection.set_tenant(acme.tenant)
            job = Job.objects.get(pk=record.job_id)
            return job.status == "running" and job.progress_total and job.progress_done >= job.progress_total

        wait_until(staged_everything, timeout=60, what="the rows to be staged")
        time.sleep(0.4)  # inside the checking and writing transaction
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait(timeout=10)

    connection.set_tenant(acme.tenant)
    assert not Invoice.objects.filter(invoice_id__startswith=f"kill-{tagged}-").exists()

    def noticed_as_failed():
        connection.set_tenant(acme.tenant)
        fresh = DataImport.objects.select_related("job").get(pk=record.pk)
        running.notice_abandoned(fresh)
        return fresh if fresh.status == "failed" else None

    failed = wait_until(noticed_as_failed, timeout=30, what="the import to be noticed as abandoned")
    assert failed.reason == running.ABANDONED
    assert not Invoice.objects.filter(invoice_id__startswith=f"kill-{tagged}-").exists()

    services.retry_import(record=failed)
    healthy_queue = f"kpihub-test-import-rerun-{tagged}"
    with celery_worker(queue=healthy_queue, label="-import-healthy"):
        tasks.run_data_import.apply_async(args=[str(record.pk)], queue=healthy_queue)
        # The same message delivered twice (acks_late redelivery) does no harm.
        tasks.run_data_import.apply_async(args=[str(record.pk)], queue=healthy_queue)

        def finished():
            connection.set_tenant(acme.tenant)
            fresh = DataImport.objects.select_related("job").get(pk=record.pk)
            return fresh if fresh.is_finished else None

        done = wait_until(finished, timeout=60, what="the rerun to finish")
        wait_until(KpiCoverage.objects.exists, timeout=30, what="the recompute queued after the import")
    assert done.status == "succeeded", done.reason
    assert (done.rows_total, done.rows_created, done.rows_rejected) == (ROWS, ROWS, 0)
    connection.set_tenant(acme.tenant)
    assert Invoice.objects.filter(invoice_id__startswith=f"kill-{tagged}-").count() == ROWS


def test_the_import_task_is_acknowledged_late_so_a_lost_worker_means_redelivery(db):
    # (Also makes pytest-django set up the test database when this module runs alone.)
    assert tasks.run_data_import.acks_late and tasks.run_data_import.reject_on_worker_lost
    assert tasks.run_data_import.name == "metrics.imports.tasks.run_data_import"
