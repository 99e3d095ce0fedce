"""The business operations of imports, called alike by the pages, the API and the
Celery task: start an import of an uploaded file, import a list of records at once,
run an import, run a failed one again, and notice one whose worker died.

A running import holds a session advisory lock named after it. The lock goes away
with the worker's database session, so "running, but nobody holds the lock" means
the worker was killed or crashed: readers then mark it failed (its transaction was
rolled back with the session, so nothing of it was written).
"""

from __future__ import annotations

import json
import logging
import tempfile
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from jobs.models import Job
from jobs.tasks import JobReporter
from metrics.imports.kinds import KINDS
from metrics.imports.pipeline import REJECT, SKIP, Outcome, file_failure, run_pipeline
from metrics.imports.reading import FileProblem, open_table, records_table
from metrics.kpis.tasks import recompute_kpis
from metrics.models import DataImport

logger = logging.getLogger(__name__)
JOB_KIND = "import"
API_MAX_RECORDS = 10_000
ABANDONED = ("The import stopped before it finished (the worker running it was stopped or "
             "crashed). Nothing from this file was written; run it again.")
LOCK_NAME = "hashtextextended(current_schema() || ':data-import:' || %s, 0)"


# --- Starting ---------------------------------------------------------------------------------

def max_bytes() -> int:
    return settings.KPIHUB_IMPORT_MAX_BYTES


def check_options(*, kind: str, on_error: str, date_format: str) -> None:
    problems = {}
    if kind not in KINDS:
        problems["kind"] = [f"Unknown kind “{kind}”. Choose one of: {', '.join(KINDS)}."]
    if on_error not in (REJECT, SKIP):
        problems["on_error"] = ["Use reject (nothing is written if any row has an error) or skip."]
    if date_format not in DataImport.DateFormat.values:
        problems["date_format"] = ["Use DD/MM/YYYY or MM/DD/YYYY, or leave it empty for YYYY-MM-DD."]
    if problems:
        raise ValidationError(problems)


def check_size(size: int) -> None:
    """Before any parsing: an empty file, or one beyond the limit, is refused."""
    if size <= 0:
        raise ValidationError({"file": ["The file is empty."]})
    limit = max_bytes()
    if size > limit:
        raise ValidationError({"file": [
            f"The file is {size / 1_000_000:,.1f} MB; the limit is {limit / 1_000_000:,.0f} MB. "
            "Split it into smaller files and import them one after the other."]})


def start_import(*, kind: str, upload, on_error: str = REJECT, date_format: str = "",
                 by=None) -> DataImport:
    """Keep the uploaded file with a new import record and queue its task (after the
    commit, so the worker finds both)."""
    check_options(kind=kind, on_error=on_error, date_format=date_format)
    if upload is None:
        raise ValidationError({"file": ["Choose a file to import."]})
    check_size(upload.size)
    with transaction.atomic():
        record = _new_record(kind=kind, on_error=on_error, date_format=date_format, by=by,
                             source=DataImport.Source.UPLOAD, name=upload.name, content=upload)
        from metrics.imports import tasks

        tasks.run_data_import.delay_on_commit(str(record.pk))
    return record


def import_records(*, kind: str, records, on_error: str = REJECT, date_format: str = "",
                   by=None) -> DataImport:
    """The API's list of records, handled at once through the same pipeline (and kept,
    as JSON, with its import record like any file)."""
    check_options(kind=kind, on_error=on_error, date_format=date_format)
    if not isinstance(records, list) or not all(isinstance(item, dict) for item in records):
        raise ValidationError({"detail": ["Send a JSON list of records (objects)."]})
    if not records:
        raise ValidationError({"detail": ["The list is empty."]})
    if len(records) > API_MAX_RECORDS:
        raise ValidationError({"detail": [
            f"{len(records):,} records; at most {API_MAX_RECORDS:,} at once. Upload larger sets as a file."]})
    body = json.dumps(records, ensure_ascii=False, default=str).encode()
    record = _new_record(kind=kind, on_error=on_error, date_format=date_format, by=by,
                         source=DataImport.Source.API, name=f"{kind}.json", content=ContentFile(body))
    _run_locked(record, table_factory=lambda _file: records_table(records))
    record.refresh_from_db()
    return record


def _new_record(*, kind, on_error, date_format, by, source, name, content) -> DataImport:
    user = by if by is not None and by.is_authenticated else None
    job = Job.objects.create(kind=JOB_KIND, created_by=user)
    record = DataImport(kind=kind, job=job, source=source, on_error=on_error, date_format=date_format,
                        created_by=user, file_name=(name or "upload")[-255:], file_size=content.size)
    record.file.save((name or "upload").rsplit("/", 1)[-1], content, save=False)
    record.save()
    return record


def retry_import(*, record: DataImport) -> DataImport:
    """Run a failed import again from its kept file (safe: an import is idempotent)."""
    notice_abandoned(record)
    if record.status != Job.Status.FAILED:
        raise ValidationError({"detail": ["Only a failed import can be run again."]})
    with transaction.atomic():
        Job.objects.filter(pk=record.job_id).update(
            status=Job.Status.QUEUED, error="", progress_done=0, progress_total=None,
            started_at=None, finished_at=None, result={})
        DataImport.objects.filter(pk=record.pk).update(
            rows_total=0, rows_created=0, rows_updated=0, rows_unchanged=0, rows_rejected=0,
            error_count=0, errors=[], warnings=[], rejected_file="")
        from metrics.imports import tasks

        tasks.run_data_import.delay_on_commit(str(record.pk))
    record.refresh_from_db()
    record.job.refresh_from_db()
    return record


# --- Running ----------------------------------------------------------------------------------

def run_import(*, import_id: str) -> dict:
    """The task body. A redelivered or repeated message finds the import finished
    and does nothing; one whose worker died mid-way (still 'running') runs again."""
    record = DataImport.objects.select_related("job").filter(pk=import_id).first()
    if record is None:
        return {"missing": import_id}
    return _run_locked(record, table_factory=lambda file: open_table(file, name=record.file_name))


def _run_locked(record: DataImport, *, table_factory) -> dict:
    with holding_lock(record):
        record.job.refresh_from_db()
        if record.job.is_finished:
            return {"skipped": record.job.status}
        # The pipeline finishes the job itself, inside the data's transaction.
        with JobReporter.running(record.job_id, label=f"import {record.pk}",
                                 reason="The import failed: {}. Nothing was written.") as job:
            outcome = _execute(record, job, table_factory)
        if job.error:
            return {"failed": str(job.error)}
        return counts(outcome)


def _execute(record: DataImport, reporter: JobReporter, table_factory) -> Outcome:
    tenant = connection.tenant
    kind = KINDS[record.kind]

    def finish(outcome: Outcome) -> None:
        _record_outcome(record, outcome, reporter)

    def save_rejected(write) -> None:
        with tempfile.TemporaryFile() as spool:
            write(spool)
            spool.seek(0)
            record.rejected_file.save("rejected.csv", File(spool), save=False)

    try:
        with record.file.open("rb") as file:
            table = table_factory(file)
            reporter.advance(0, total=table.estimated_rows)
            return run_pipeline(
                kind=kind, table=table, on_error=record.on_error, date_format=record.date_format,
                timezone=getattr(tenant, "timezone", "UTC"), currency=getattr(tenant, "currency", "USD"),
                progress=lambda done: reporter.advance(done), save_rejected=save_rejected, finish=finish)
    except FileProblem as problem:
        outcome = file_failure(str(problem))
        _record_outcome(record, outcome, reporter)
        return outcome


def _record_outcome(record: DataImport, outcome: Outcome, reporter: JobReporter) -> None:
    """Inside the data's transaction: the counts, the status, and the KPI recompute
    (queued when the transaction commits, so it sees the new data)."""
    for name, value in counts(outcome).items():
        setattr(record, name, value)
    record.errors, record.warnings, record.error_count = outcome.errors, outcome.warnings, outcome.error_count
    record.save(update_fields=[*counts(outcome), "errors", "warnings", "error_count", "rejected_file"])
    if outcome.succeeded:
        reporter.advance(outcome.rows_total, total=outcome.rows_total)
        reporter.succeed(counts(outcome))
        recompute_kpis.delay_on_commit()
    else:
        reporter.fail(outcome.failure)


def counts(outcome: Outcome) -> dict:
    return {"rows_total": outcome.rows_total, "rows_created": outcome.rows_created,
            "rows_updated": outcome.rows_updated, "rows_unchanged": outcome.rows_unchanged,
            "rows_rejected": outcome.rows_rejected}


# --- A worker that died --------------------------------------------------------------------------

@contextmanager
def holding_lock(record: DataImport):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_advisory_lock({LOCK_NAME})", [str(record.pk)])
        # Let PostgreSQL notice a vanished client during a long statement and roll back.
        _try(cursor, "SET client_connection_check_interval = '2s'")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            _try(cursor, f"SELECT pg_advisory_unlock({LOCK_NAME})", [str(record.pk)])


def _try(cursor, statement: str, params=None) -> None:
    try:
        with transaction.atomic():
            cursor.execute(statement, params)
    except DatabaseError:
        logger.warning("import bookkeeping statement failed: %s", statement)


def notice_abandoned(record: DataImport) -> bool:
    """Mark a 'running' import failed when no session holds its lock any more. The
    update only applies while it is still running, so an import that just finished
    (and released the lock after its commit) keeps its result."""
    if record.job.status != Job.Status.RUNNING:
        return False
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_try_advisory_xact_lock({LOCK_NAME})", [str(record.pk)])
        if not cursor.fetchone()[0]:
            return False
        changed = Job.objects.filter(pk=record.job_id, status=Job.Status.RUNNING).update(
            status=Job.Status.FAILED, error=ABANDONED, finished_at=timezone.now())
    record.job.refresh_from_db()
    return bool(changed)
