"""Waiting for what another process (a Celery worker, a server) does: poll a check
until it gives something truthy, or fail the test saying what never happened."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from django.db import connection

T = TypeVar("T")


def wait_until(check: Callable[[], T], *, timeout: float = 30.0, what: str = "the condition",
               interval: float = 0.1) -> T:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)


def wait_for_job(job_id, tenant, *, timeout: float = 30.0):
    """The Job record once it has finished (succeeded or failed), read in its tenant."""
    from jobs.models import Job

    def finished():
        connection.set_tenant(tenant)
        job = Job.objects.get(pk=job_id)
        return job if job.is_finished else None

    return wait_until(finished, timeout=timeout, what=f"job {job_id} to finish")
