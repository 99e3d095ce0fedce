"""Running an import: the body of its Celery task (and of the API's records, at
once), with the bookkeeping that makes a killed worker visible.

A running import holds a session advisory lock named after it. The lock goes away
with the worker's database session, so "running, but nobody holds the lock" means
the worker was killed or crashed: readers then mark it failed (its transaction was
rolled back with the session, so nothing of it was written).
"""

from __future__ import annotations

import logging
import tempfile
from contextlib import contextmanager

from django.core.files import File
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from jobs.models import Job
from jobs.tasks import JobReporter
from metrics.imports import accounts, coupons, mapping, writing
from metrics.imports.kinds import KINDS
from metrics.imports.pipeline import Outcome, file_failure, run_pipeline
from metrics.imports.reading import FileProblem, open_table
from metrics.kpis.tasks import recompute_kpis
from metrics.models import DataImport

logger = logging.getLogger(__name__)
ABANDONED = ("The import stopped before it finished (the worker running it was stopped or "
             "crashed). Nothing from this file was written; run it again.")
LOCK_NAME = "hashtextextended(current_schema() || ':data-import:' || %s, 0)"


def run_import(*, import_id: str) -> dict:
    """The task body. A redelivered or repeated message finds the import finished
    and does nothing; one whose worker died mid-way (still 'running') runs again."""
    record = DataImport.objects.select_related("job").filter(pk=import_id).first()
    if record is None:
        return {"missing": import_id}
    return run_locked(record, table_factory=lambda file: open_table(file, name=record.file_name))


def run_locked(record: DataImport, *, table_factory) -> dict:
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
    header: list[str] = []   # the file's own, to remember a mapping by
    choices = accounts.CATEGORIES.for_import(record)   # a report's accounts' categories (QuickBooks)
    values = coupons.VALUES.for_import(record)         # a Stripe subscriptions export's coupons' values

    def finish(outcome: Outcome) -> None:
        _record_outcome(record, outcome, reporter)
        if outcome.succeeded and record.mapping and header:
            mapping.remember(record, header)
        if outcome.succeeded and choices is not None and record.account_categories:
            accounts.CATEGORIES.remember(record, choices)
        if outcome.succeeded and values is not None and record.coupons:
            coupons.VALUES.remember(record, values)

    def save_rejected(write) -> None:
        with tempfile.TemporaryFile() as spool:
            write(spool)
            spool.seek(0)
            record.rejected_file.save("rejected.csv", File(spool), save=False)

    try:
        with record.file.open("rb") as file:
            table = table_factory(file)
            header = table.header
            table, source_notes = (coupons.VALUES.apply(record.source, table, values) if values is not None
                                   else accounts.CATEGORIES.apply(record.source, table, choices))
            table, mapping_notes = mapping.for_import(record, kind, table, header)
            source_notes += mapping_notes   # in place: the source adds its last notes to this list
            reporter.advance(0, total=table.estimated_rows)
            return run_pipeline(
                kind=kind, table=table, on_error=record.on_error, date_format=record.date_format,
                timezone=getattr(tenant, "timezone", "UTC"), currency=getattr(tenant, "currency", "USD"),
                amount_unit=record.amount_unit, mode=record.mode, notes=source_notes,
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
    record.notes, record.rows_deleted = outcome.notes, outcome.rows_deleted
    record.save(update_fields=[*counts(outcome), "errors", "warnings", "error_count", "rejected_file",
                               "notes", "rows_deleted"])
    if outcome.succeeded:
        with connection.cursor() as cursor:
            writing.keep_changes(cursor, record.pk)
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
