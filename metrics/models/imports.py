"""The record of one data import: who, when, which kind and options, the file as
uploaded, and what came of it. Its status, progress and failure reason live on the
Job it points at (the same record ``GET /api/v1/jobs/{id}/`` serves), so the two can
never disagree."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from jobs.models import Job


def upload_path(instance: "DataImport", filename: str) -> str:
    # The tenant's storage already puts it under MEDIA_ROOT/<schema>/.
    return f"imports/{instance.created_at:%Y/%m}/{instance.pk}/{filename}"


class DataImport(models.Model):
    class OnError(models.TextChoices):
        REJECT = "reject", "Reject the whole file"
        SKIP = "skip", "Skip the bad rows"

    class DateFormat(models.TextChoices):
        ISO = "", "YYYY-MM-DD"
        DAY_FIRST = "DD/MM/YYYY", "DD/MM/YYYY"
        MONTH_FIRST = "MM/DD/YYYY", "MM/DD/YYYY"

    class Source(models.TextChoices):
        UPLOAD = "upload", "File upload"
        API = "api", "API records"

    # Random ids: an import's URL tells nothing and cannot be guessed across tenants.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=30)
    job = models.OneToOneField(Job, on_delete=models.PROTECT, related_name="data_import")
    source = models.CharField(max_length=6, choices=Source.choices, default=Source.UPLOAD)
    file = models.FileField(upload_to=upload_path, max_length=300)
    file_name = models.CharField(max_length=255, blank=True, default="")
    file_size = models.BigIntegerField(default=0)
    on_error = models.CharField(max_length=6, choices=OnError.choices, default=OnError.REJECT)
    date_format = models.CharField(max_length=10, choices=DateFormat.choices, blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    rows_total = models.BigIntegerField(default=0)
    rows_created = models.BigIntegerField(default=0)
    rows_updated = models.BigIntegerField(default=0)
    rows_unchanged = models.BigIntegerField(default=0)
    rows_rejected = models.BigIntegerField(default=0)
    error_count = models.BigIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)     # the first 1,000, in line order
    warnings = models.JSONField(default=list, blank=True)
    rejected_file = models.FileField(upload_to=upload_path, max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["-created_at"], name="metrics_import_newest")]

    def __str__(self) -> str:
        return f"{self.kind} import {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def status(self) -> str:
        return self.job.status

    @property
    def finished_at(self):
        return self.job.finished_at

    @property
    def reason(self) -> str:
        return self.job.error

    @property
    def is_finished(self) -> bool:
        return self.job.is_finished
