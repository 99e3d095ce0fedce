"""How every tenant task is declared, and how a task reports on its Job.

``tenant_task`` gives each task the reliability settings we want everywhere: late
acknowledgement (a killed worker's task is redelivered, so tasks are idempotent),
retries with backoff and jitter for transient errors only, and a check that the
task really runs in a tenant schema. ``JobReporter.running`` is the one way a task
runs work it reports on a Job: every job-reporting task goes through it (directly, or
through ``JobReporter.tracking``). It also makes a job safe to deliver twice: one live
run per job (a session advisory lock, which dies with a killed worker's connection), a
finished job never runs again, and a job whose runs keep dying with their worker (an
out-of-memory kill every time) is failed after ``MAX_INTERRUPTIONS`` instead of
retried forever. How a dead worker's task comes back within minutes: jobs/visibility.py;
what fails or re-queues a job whose task never came back: jobs/reaper.py.
"""

from __future__ import annotations

import functools
import logging
from contextlib import contextmanager

from celery import current_task
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.db.models import F
from django.utils import timezone
from django_tenants.utils import tenant_context
from kombu.exceptions import OperationalError as BrokerError
from tenant_schemas_celery.app import get_schema_name_from_task

from jobs.models import Job
from kpihub.celery import app
from tenants.models import Tenant

logger = logging.getLogger(__name__)
TRANSIENT_ERRORS = (OperationalError, InterfaceError, BrokerError, ConnectionError, TimeoutError)


MAX_INTERRUPTIONS = 3
GAVE_UP = ("Stopped {} times before it finished: the worker running it was killed each time "
           "(for instance out of memory), so it is not started again.")
JOB_LOCK = "hashtextextended(current_schema() || ':job:' || %s, 0)"


class NotInTenantSchema(RuntimeError):
    pass


class JobSkipped(Exception):
    """This delivery of a job's task has nothing to do: the job is finished, another
    live run has it, or it gave up. ``tenant_task`` returns quietly."""


class SchemaNotSwitched(ConnectionError):
    """The task was sent for a tenant, but switching to its schema failed before the
    task ran (tenant-schemas-celery logs why: the database was away). Transient."""


def assert_tenant_schema() -> str:
    schema = connection.schema_name
    if schema in ("public", None):
        wanted = get_schema_name_from_task(current_task, {}) if current_task else None
        if wanted and wanted != "public":
            raise SchemaNotSwitched(f"could not switch to schema {wanted!r}; retrying")
        raise NotInTenantSchema("a tenant task ran in the public schema")
    return schema


def tenant_task(**options):
    """Declare a Celery task that runs in the caller's tenant schema, on the company's
    clock: its time zone is active, as on its pages (tenants.middleware), so "today"
    and the times a task writes into e-mails are the company's."""

    def decorator(func):
        @functools.wraps(func)
        def run(*args, **kwargs):
            assert_tenant_schema()
            tenant = getattr(connection, "tenant", None)
            zone = tenant.zone if isinstance(tenant, Tenant) else timezone.get_current_timezone()
            try:
                with timezone.override(zone):
                    return func(*args, **kwargs)
            except JobSkipped as skipped:
                logger.info("%s: %s", func.__name__, skipped)
                return {"skipped": str(skipped)}

        defaults = {
            "acks_late": True,
            "reject_on_worker_lost": True,
            "autoretry_for": TRANSIENT_ERRORS,
            "retry_backoff": 2,
            "retry_backoff_max": 300,
            "retry_jitter": True,
            "max_retries": 5,
        }
        return app.task(name=f"{func.__module__}.{func.__name__}", **{**defaults, **options})(run)

    return decorator


class JobReporter:
    """Moves a Job through running -> succeeded/failed and records progress. Writes go
    straight to the row (update()), so a reader sees progress while work runs. A
    reporter without a job (``job_id`` None) writes nothing: a run nobody asked to
    follow still goes through the same error handling."""

    def __init__(self, job_id):
        self.job_id = job_id
        self.result: dict | None = None  # what running() marks the job succeeded with
        self.error: Exception | None = None  # what failed it, when running() caught it
        self.finished = False

    def _update(self, **fields) -> None:
        if self.job_id is not None:
            Job.objects.filter(pk=self.job_id).update(**fields)

    def start(self, total: int | None = None) -> None:
        task = _current_task_call()
        self._update(status=Job.Status.RUNNING, started_at=timezone.now(), progress_total=total,
                     progress_done=0, error="", finished_at=None, **({"task": task} if task else {}))

    def advance(self, done: int, total: int | None = None) -> None:
        fields = {"progress_done": done}
        if total is not None:
            fields["progress_total"] = total
        self._update(**fields)

    def succeed(self, result: dict | None = None) -> None:
        self.finished = True
        self._update(status=Job.Status.SUCCEEDED, result=result or {}, finished_at=timezone.now())

    def fail(self, reason: str) -> None:
        self.finished = True
        self._update(status=Job.Status.FAILED, error=reason[:2000], finished_at=timezone.now())

    @classmethod
    @contextmanager
    def running(cls, job_id, *, label: str = "", reason: str = "{}"):
        """The one way a job's work runs: the job starts, the block runs, and on leaving
        it the job is marked succeeded with ``reporter.result``, unless the block
        finished it itself (an import does, inside its data's transaction, so the
        status commits with the data). Transient errors propagate, so Celery retries
        the task. Any other error is logged, fails the job with "ExcClass: message"
        (put into ``reason``) instead of leaving it 'running', is kept as
        ``reporter.error`` and goes no further: the caller reads it after the block."""
        reporter = cls(job_id)
        with reporter.claimed():
            reporter.start()
            try:
                yield reporter
            except TRANSIENT_ERRORS:
                raise
            except Exception as exc:
                logger.exception("%s failed", label or f"job {job_id}")
                reporter.error = exc
                reporter.fail(reason.format(f"{exc.__class__.__name__}: {exc}"))
                return
            if not reporter.finished:
                reporter.succeed(reporter.result)

    @contextmanager
    def claimed(self):
        """Hold the job for this run, or raise JobSkipped. Runs the job lock's session
        holds: a second delivery while one is alive skips, and the reaper knows a
        running job nobody holds is dead. A redelivered task that finds its job still
        running was interrupted by its worker's death: counted, and past
        MAX_INTERRUPTIONS the job fails instead."""
        if self.job_id is None:
            yield
            return
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT pg_try_advisory_lock({JOB_LOCK})", [str(self.job_id)])
            if not cursor.fetchone()[0]:
                raise JobSkipped(f"job {self.job_id} is being run by another live worker")
        try:
            job = Job.objects.filter(pk=self.job_id).first()
            if job is None or job.is_finished:
                raise JobSkipped(f"job {self.job_id} is {job.status if job else 'gone'}")
            if job.status == Job.Status.RUNNING and _redelivered():
                if job.interruptions >= MAX_INTERRUPTIONS:
                    self.fail(GAVE_UP.format(job.interruptions))
                    raise JobSkipped(f"job {self.job_id} gave up after {job.interruptions} interruptions")
                Job.objects.filter(pk=self.job_id).update(interruptions=F("interruptions") + 1)
            yield
        finally:
            try:
                with connection.cursor() as cursor:
                    cursor.execute(f"SELECT pg_advisory_unlock({JOB_LOCK})", [str(self.job_id)])
            except DatabaseError:  # the connection is gone, and the lock with it
                logger.warning("could not release job %s's lock", self.job_id)

    @classmethod
    def tracking(cls, func):
        """Wrap a task body taking ``job_id`` first (the body gets the reporter instead)
        so that it runs as a job: see ``running``. A failed body returns None."""

        @functools.wraps(func)
        def run(job_id, *args, **kwargs):
            with cls.running(job_id) as reporter:
                reporter.result = func(reporter, *args, **kwargs)
            return reporter.result

        return run


def _redelivered() -> bool:
    """This task's message was delivered before to a worker that never acknowledged
    it (kombu flags a message it puts back in the queue)."""
    request = getattr(current_task, "request", None)
    return bool((getattr(request, "delivery_info", None) or {}).get("redelivered"))


def _current_task_call() -> dict | None:
    request = getattr(current_task, "request", None)
    if request is None or not getattr(request, "id", None) or getattr(request, "is_eager", False):
        return None
    return {"name": request.task, "args": list(request.args or []), "kwargs": dict(request.kwargs or {})}


def fan_out_to_active_tenants(task, *, spacing: float, max_delay: float) -> int:
    """From public (a beat job): queue ``task`` once in every active tenant's schema,
    ``spacing`` seconds apart (at most ``max_delay``) so tenants do not stampede. The
    template and suspended tenants are skipped. Returns how many were queued."""
    tenants = Tenant.objects.filter(status=Tenant.Status.ACTIVE).exclude(schema_name="public")
    count = 0
    for index, tenant in enumerate(tenants.order_by("pk")):
        with tenant_context(tenant):
            task.apply_async(countdown=min(index * spacing, max_delay))
        count += 1
    return count
