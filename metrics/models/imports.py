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

    class Origin(models.TextChoices):
        UPLOAD = "upload", "File upload"
        API = "api", "API records"
        UNDO = "undo", "Undo of an import"
        DELETE = "delete", "A record deleted"

    class AmountUnit(models.TextChoices):
        UNITS = "units", "Amounts as written (12.50)"
        CENTS = "cents", "Amounts in cents (1250 for 12.50)"

    class Mode(models.TextChoices):
        UPSERT = "upsert", "Add and update records"
        REPLACE = "replace", "Replace every record of the kind"

    # Random ids: an import's URL tells nothing and cannot be guessed across tenants.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=30)
    job = models.OneToOneField(Job, on_delete=models.PROTECT, related_name="data_import")
    origin = models.CharField(max_length=6, choices=Origin.choices, default=Origin.UPLOAD)
    # The vendor export the file was read as (metrics/imports/sources), named or detected;
    # blank for a file in KPI Hub's own columns.
    source = models.CharField(max_length=60, blank=True, default="")
    # {kind column: file column, or {"value": constant}} as applied.
    mapping = models.JSONField(default=dict, blank=True)
    # {account: category or "leave_out"} sent with the import (a report's accounts,
    # QuickBooks'); the task applies them over the tenant's confirmed ones.
    account_categories = models.JSONField(default=dict, blank=True)
    coupons = models.JSONField(default=dict, blank=True)   # the values sent for a Stripe export's coupons
    amount_unit = models.CharField(max_length=5, choices=AmountUnit.choices, default=AmountUnit.UNITS)
    mode = models.CharField(max_length=7, choices=Mode.choices, default=Mode.UPSERT)
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
    rows_deleted = models.BigIntegerField(default=0)
    error_count = models.BigIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)     # the first 1,000, in line order
    warnings = models.JSONField(default=list, blank=True)
    # What was skipped, derived or guessed while reading (never silent).
    notes = models.JSONField(default=list, blank=True)
    # An undo (origin "undo") points at the import it reverts; that import is then undone.
    reverts = models.OneToOneField("self", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="reverted_by")
    undone_at = models.DateTimeField(null=True, blank=True)
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


class ImportChange(models.Model):
    """A record as it was before an import wrote it: what undoing that import restores
    (``before`` is null for a record the import created)."""

    data_import = models.ForeignKey(DataImport, on_delete=models.CASCADE, related_name="changes")
    key = models.JSONField()
    before = models.JSONField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["data_import"], name="metrics_importchange_import")]


class SavedMapping(models.Model):
    """A mapping a member confirmed for a file header, offered the next time the same
    header comes in (data-contract.md, "Mapping")."""

    kind = models.CharField(max_length=30)
    header_key = models.CharField(max_length=64)  # sha256 of the normalised header
    header = models.JSONField(default=list)
    source = models.CharField(max_length=60, blank=True, default="")
    mapping = models.JSONField(default=dict)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "header_key"], name="saved_mapping_per_header")]


class AccountCategory(models.Model):
    """The category a member confirmed for an account of a vendor report (QuickBooks'
    transaction detail), applied to that account's rows in every later import
    (docs/decisions.md, "QuickBooks accounts")."""

    source = models.CharField(max_length=60)
    account = models.CharField(max_length=255)       # as the report writes it
    category = models.CharField(max_length=20)        # an expense category, or "leave_out"
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "account"], name="account_category_per_account")]


class StripeCoupon(models.Model):
    """The value a member gave for a coupon a vendor's subscriptions export names
    without its value (Stripe's), applied to that coupon's subscriptions in every later
    import (docs/decisions.md, "Coupons")."""

    source = models.CharField(max_length=60)
    coupon = models.CharField(max_length=255)       # the coupon's id, as the export writes it
    value = models.JSONField(default=dict)          # {"percent_off" or "amount_off": text, "duration": ...}
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "coupon"], name="stripe_coupon_per_coupon")]
