"""A record of long work (an import, a recompute, a survey send) that the pages and
``GET /api/v1/jobs/{id}/`` read while Celery does it. Lives in the tenant schema."""

import uuid

from django.conf import settings
from django.db import models


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    # Random ids: nothing to learn by counting, and nothing to guess across tenants.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress_done = models.BigIntegerField(default=0)
    progress_total = models.BigIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)
    # Runs a dead worker interrupted (jobs.tasks.JobReporter): past a few, it is not retried.
    interruptions = models.PositiveSmallIntegerField(default=0)
    # The Celery task running it, {"name", "args", "kwargs"}: what the reaper queues again.
    task = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["kind", "status"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.status}"

    @property
    def progress(self) -> float | None:
        """Percent done, or None while the total is unknown."""
        if self.status == self.Status.SUCCEEDED:
            return 100.0
        if not self.progress_total:
            return None
        return round(min(self.progress_done / self.progress_total, 1.0) * 100, 1)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)
