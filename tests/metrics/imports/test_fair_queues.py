"""Noisy neighbours (issue 16, item 15): a big import, and the recompute of a big
tenant, go to the bulk queue and its worker, so another company's small import,
queued after a big one, runs at once on the default worker (real workers, Redis and
PostgreSQL)."""

from __future__ import annotations

import time
import uuid

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.db import connection

from jobs.models import Job
from kpihub.celery import app
from metrics.imports import services
from metrics.models import DataImport, Invoice, KpiCoverage, KpiValue
from tests.support.waiting import wait_until


def invoices_csv(prefix: str, rows: int) -> bytes:
    lines = ["invoice_id,date,amount,status"]
    lines += [f"{prefix}-{n},2024-{n % 12 + 1:02d}-{n % 28 + 1:02d},{n % 500}.{n % 100:02d},paid" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def queue_of(name: str, args=(), kwargs=None, **options) -> str:
    """The queue Celery's router sends the task to, as ``apply_async`` would."""
    return app.amqp.router.route(options, name, args, kwargs or {})["queue"].name


def test_big_imports_and_big_tenants_recomputes_go_to_the_bulk_queue(in_acme, settings):
    settings.KPIHUB_BULK_IMPORT_BYTES = 1_000
    small = services.start_import(kind="invoices", upload=ContentFile(invoices_csv("s", 3), name="s.csv"))
    big = services.start_import(kind="invoices", upload=ContentFile(invoices_csv("b", 100), name="b.csv"))
    task = "metrics.imports.tasks.run_data_import"
    assert queue_of(task, [str(small.pk)]) == settings.CELERY_TASK_DEFAULT_QUEUE
    assert queue_of(task, [str(big.pk)]) == settings.KPIHUB_BULK_QUEUE
    assert queue_of(task, [str(big.pk)], queue="chosen") == "chosen", "an explicit queue stays"
    recompute = "metrics.kpis.tasks.recompute_kpis"
    settings.KPIHUB_BULK_RECOMPUTE_ROWS = 10 ** 12
    assert queue_of(recompute, kwargs={"job_id": None}) == settings.CELERY_TASK_DEFAULT_QUEUE
    settings.KPIHUB_BULK_RECOMPUTE_ROWS = 0
    assert queue_of(recompute, kwargs={"job_id": None}) == settings.KPIHUB_BULK_QUEUE


@pytest.fixture
def fair(acme, globex, committed_db, settings):
    """Queues of the test's own, a low bar for a big file; afterwards every committed
    row of the test is removed in both companies."""
    tag = uuid.uuid4().hex[:8]
    queue = f"kpihub-test-fair-{tag}"
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    settings.KPIHUB_BULK_QUEUE = f"{queue}-bulk"   # as the workers' settings name it
    settings.KPIHUB_BULK_IMPORT_BYTES = 1_000
    yield tag, queue
    for company in (acme, globex):
        connection.set_tenant(company.tenant)
        Invoice.objects.filter(invoice_id__startswith=f"{tag}-").delete()
        jobs = list(DataImport.objects.filter(file_name__startswith=tag).values_list("job_id", flat=True))
        DataImport.objects.filter(file_name__startswith=tag).delete()
        Job.objects.filter(pk__in=jobs).delete()
        time.sleep(0.5)  # the recompute's goal evaluation follows it
        KpiValue.objects.all().delete()
        KpiCoverage.objects.all().delete()
    connection.set_schema_to_public()


def job_of(company, record) -> Job:
    connection.set_tenant(company.tenant)
    return Job.objects.get(pk=record.job_id)


@pytest.mark.worker
def test_a_small_import_runs_at_once_while_another_companys_big_one_holds_the_bulk_worker(acme, globex, fair):
    from tests.support.worker import celery_worker

    tag, queue = fair
    db = connection.settings_dict
    # acme's big import will wait for this lock (an import's per-kind lock) as long as
    # the test holds it: the bulk worker is busy with it meanwhile.
    holder = psycopg.connect(host=db["HOST"] or None, port=db["PORT"] or None, user=db["USER"],
                             password=db["PASSWORD"] or None, dbname=db["NAME"], autocommit=True)
    with celery_worker(queue=queue, consume=[queue], label="-fair-default"), \
            celery_worker(queue=queue, consume=[f"{queue}-bulk"], label="-fair-bulk"):
        try:
            holder.execute("SELECT pg_advisory_lock(hashtextextended(%s || ':import:' || 'invoices', 0))",
                           [acme.tenant.schema_name])
            connection.set_tenant(acme.tenant)
            big = services.start_import(kind="invoices", upload=ContentFile(
                invoices_csv(f"{tag}-a", 200), name=f"{tag}-big.csv"))
            wait_until(lambda: job_of(acme, big).status == Job.Status.RUNNING, timeout=30,
                       what="the bulk worker to start acme's big import")
            connection.set_tenant(globex.tenant)
            queued = time.monotonic()
            small = services.start_import(kind="invoices", upload=ContentFile(
                invoices_csv(f"{tag}-b", 5), name=f"{tag}-small.csv"))
            done = wait_until(lambda: job_of(globex, small).is_finished and job_of(globex, small), timeout=30,
                              what="globex's small import, queued behind acme's big one")
            waited = time.monotonic() - queued
            assert done.status == Job.Status.SUCCEEDED, done.error
            assert job_of(acme, big).status == Job.Status.RUNNING, "the big import is still waiting"
            assert waited < 30
        finally:
            holder.close()
        finished = wait_until(lambda: job_of(acme, big).is_finished and job_of(acme, big), timeout=60,
                              what="acme's big import to finish once the lock is free")
    assert finished.status == Job.Status.SUCCEEDED, finished.error
    connection.set_tenant(acme.tenant)
    assert Invoice.objects.filter(invoice_id__startswith=f"{tag}-a-").count() == 200
    connection.set_tenant(globex.tenant)
    assert Invoice.objects.filter(invoice_id__startswith=f"{tag}-b-").count() == 5
