"""Celery entry points of the KPI engine: thin wrappers over ``compute.recompute_kpis``.

``recompute_kpis`` runs in a tenant schema: after an import (the import pipeline
queues it), on demand (``POST /api/v1/kpis/recompute/`` with a Job) and nightly
(``recompute_kpis_for_every_tenant`` on public fans out one per active tenant).
One recompute per tenant at a time: a Redis lock (``cache.add`` with an expiry) keyed
by schema, naming the database session of its holder so that a killed worker's lock is
taken over at once. A recompute that finds the lock taken does not wait in a worker: it queues
itself again a little later, so it follows the running one and still sees data
committed after that one started. One follower is enough for any number of requests
(ten imports in a row recompute twice, not ten times): a second flag marks that one is
queued, and requests without a job to report on join it. Results are upserts, so a
retried or repeated run is harmless. Afterwards the task sends ``kpis_recomputed``
(the goals re-evaluate on it; goals.md, "Jobs").
"""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from jobs.models import Job
from jobs.tasks import JobReporter, fan_out_to_active_tenants, tenant_task
from kpihub.celery import app
from metrics.kpis import compute
from metrics.kpis.signals import kpis_recomputed

JOB_KIND = "kpi_recompute"
LOCK_SECONDS = 15 * 60  # above the longest recompute; a dead holder is replaced sooner (take_lock)
FOLLOW_DELAY = 10
# The follower's mark outlives it only briefly: a follower lost with its message (a
# broker that restarted empty) stops others joining it after this long, instead of
# holding back every recompute of the tenant for LOCK_SECONDS. A live follower renews
# it each time it finds the lock still taken.
FOLLOWER_SECONDS = 3 * FOLLOW_DELAY
FAN_OUT_SPACING = 2.0  # seconds between two tenants' nightly recomputes
FAN_OUT_MAX_DELAY = 1800


def lock_key(schema: str) -> str:
    return f"kpi-recompute-lock:{schema}"


def follower_key(schema: str) -> str:
    return f"kpi-recompute-follower:{schema}"


@tenant_task()
def recompute_kpis(job_id: str | None = None, following: bool = False) -> dict:
    schema = connection.schema_name
    token = take_lock(schema)
    if token is None:
        if following:
            cache.set(follower_key(schema), 1, FOLLOWER_SECONDS)  # still on its way
        elif not job_id and not cache.add(follower_key(schema), 1, FOLLOWER_SECONDS):
            return {"joined": True}  # the queued follower will see this request's data
        recompute_kpis.apply_async(kwargs={"job_id": job_id, "following": True}, countdown=FOLLOW_DELAY)
        return {"followed": True}
    # From here on, data committed later needs a recompute of its own: let one queue.
    cache.delete(follower_key(schema))
    try:
        with JobReporter.running(job_id or None, label=f"KPI recompute in {schema}") as job:
            job.result = compute.recompute_kpis().as_dict()
    finally:
        if cache.get(lock_key(schema)) == token:
            cache.delete(lock_key(schema))
    if job.error:
        return {"failed": str(job.error)}
    kpis_recomputed.send(sender=recompute_kpis, schema_name=schema, summary=job.result)
    return job.result


def take_lock(schema: str) -> str | None:
    """The token now holding the tenant's recompute lock, or None while a live run holds
    it. The lock names its holder's database session, so a holder whose worker was
    killed (its session gone) is replaced at once, not LOCK_SECONDS later."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid(), backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid()")
        pid, started = cursor.fetchone()
    token = f"{uuid.uuid4().hex} {pid} {started.isoformat()}"
    if cache.add(lock_key(schema), token, LOCK_SECONDS):
        return token
    held = cache.get(lock_key(schema))
    if held and _holder_is_gone(str(held)):
        cache.delete(lock_key(schema))
        if cache.add(lock_key(schema), token, LOCK_SECONDS):
            return token
    return None


def _holder_is_gone(held: str) -> bool:
    parts = held.split(" ")
    if len(parts) != 3 or not parts[1].isdigit():
        return False  # not a holder this code wrote: leave it to its expiry
    with connection.cursor() as cursor:
        cursor.execute("SELECT backend_start FROM pg_stat_activity WHERE pid = %s", [int(parts[1])])
        row = cursor.fetchone()
    return row is None or (row[0] is not None and row[0].isoformat() != parts[2])


def request_recompute(*, user=None) -> Job:
    """The on-demand recompute: joins one already queued or running (its job is
    returned), else records a Job and queues the task once the transaction commits."""
    recent = timezone.now() - timezone.timedelta(seconds=LOCK_SECONDS)
    pending = (Job.objects.filter(kind=JOB_KIND, status__in=[Job.Status.QUEUED, Job.Status.RUNNING],
                                  created_at__gte=recent).order_by("-created_at").first())
    if pending:
        return pending
    job = Job.objects.create(kind=JOB_KIND, created_by=user if user and user.is_authenticated else None)
    transaction.on_commit(lambda: recompute_kpis.delay(job_id=str(job.pk)))
    return job


@app.task(name="metrics.kpis.tasks.recompute_kpis_for_every_tenant")
def recompute_kpis_for_every_tenant() -> int:
    """On public (Celery beat, nightly): one recompute per active tenant, spread out."""
    return fan_out_to_active_tenants(recompute_kpis, spacing=FAN_OUT_SPACING,
                                     max_delay=FAN_OUT_MAX_DELAY)
