"""The import pipeline, one for every kind and format:

    header match -> COPY into staging -> one checking pass -> e-mails as customer ids -> errors
    -> (reject: stop | skip: drop bad rows) -> repeated keys -> bare customers,
    new custom metrics -> update changed, insert new -> the caller records the outcome

Staging runs outside the transaction (its temp table is private to the session, and
progress written between chunks is visible to readers). Everything that writes the
tenant's data, and the caller's record of the outcome (``finish``), runs in ONE
transaction: ``on_error=reject`` with any error writes nothing, and a crash or a
killed worker leaves the data as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO

from django.db import DatabaseError, connection, transaction

from metrics.imports import checking, extra_columns, staging, writing
from metrics.imports.casting import Options
from metrics.imports.headers import match_header
from metrics.imports.kinds import Kind
from metrics.imports.reading import FileProblem, Table
from metrics.kpis.registry import BY_KEY, RESERVED_METRICS

REJECT, SKIP = "reject", "skip"
# Aggregates and hash joins over a million staged rows want room in memory. Memoize
# would cache the checking pass's per-row LATERAL steps on a handful of keys, which only
# slows them (docs/benchmarks.md, "Measurements behind the code").
# The optimistic checks compare values' output text with the cells: dates as ISO.
SESSION_SETTINGS = ("SET LOCAL work_mem = '64MB'", "SET LOCAL jit = off", "SET LOCAL enable_memoize = off",
                    "SET LOCAL DateStyle = 'ISO'")


@dataclass
class Outcome:
    rows_total: int = 0
    rows_created: int = 0
    rows_updated: int = 0
    rows_unchanged: int = 0
    rows_rejected: int = 0
    error_count: int = 0
    errors: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # What was skipped, derived or guessed while reading (data-contract.md: never silent).
    notes: list[str] = field(default_factory=list)
    rows_deleted: int = 0
    # Set when nothing was written: the whole file was refused, or rows had errors
    # and the import said on_error=reject.
    failure: str = ""

    @property
    def succeeded(self) -> bool:
        return not self.failure


def file_failure(message: str) -> Outcome:
    return Outcome(failure=message, error_count=1,
                   errors=[{"line": 1, "column": "", "value": "", "message": message}])


def run_pipeline(*, kind: Kind, table: Table, on_error: str = REJECT, date_format: str = "",
                 timezone: str = "UTC", currency: str = "USD", amount_unit: str = "units",
                 mode: str = "upsert", notes: list[str] | None = None,
                 progress: Callable[[int], None] | None = None,
                 save_rejected: Callable[[Callable[[BinaryIO], None]], None] | None = None,
                 finish: Callable[[Outcome], None] | None = None) -> Outcome:
    """Import ``table`` as ``kind``. ``finish`` runs inside the data's transaction with
    the outcome (to record it atomically); ``save_rejected`` is handed a writer of the
    rejected rows' CSV when there are any. Whole-file problems raise FileProblem."""
    match = match_header(kind, table.header, table.header_line)
    present = match.columns
    warnings = []
    if match.unknown and not match.extra:
        warnings.append(f"Ignored column{'s' if len(match.unknown) > 1 else ''} that "
                        f"{'are' if len(match.unknown) > 1 else 'is'} not part of {kind.name}: "
                        f"{', '.join(match.unknown)}.")
    with connection.cursor() as cursor:
        try:
            total, trimmed = staging.stage(cursor, match, table, progress)
            if not total:
                raise FileProblem("The file has a header but no rows.")
            options = Options(date_format=date_format, timezone=timezone, currency=currency, trimmed=trimmed,
                              amount_unit=amount_unit,
                              decimal_comma=table.delimiter == ";" and checking.detect_decimal_comma(cursor, present))
            options, read_notes = checking.detect_layouts(cursor, present, options)
            with transaction.atomic():
                outcome = _check_and_write(cursor, kind, present, options, on_error, save_rejected, mode,
                                           extra=match.extra)
                outcome.rows_total = total
                read_notes += checking.value_notes(cursor, present)
                outcome.notes = (list(notes or []) + table.notes + read_notes + outcome.notes
                                 + extra_columns.notes(match.extra))
                outcome.warnings = warnings + outcome.warnings + checking.cents_warnings(cursor, kind, present, options)
                if finish:
                    finish(outcome)
            return outcome
        finally:
            _drop_work_tables(cursor)


def _check_and_write(cursor, kind: Kind, present, options: Options, on_error: str,
                     save_rejected, mode: str = "upsert", extra: list[tuple[int, str]] | None = None) -> Outcome:
    writing.lock_kinds(cursor, kind)
    for statement in SESSION_SETTINGS:
        cursor.execute(statement)
    checking.build_typed(cursor, kind, present, options)
    linked = checking.link_emails(cursor, kind, present)
    outcome = Outcome(rows_rejected=checking.collect_errors(cursor, kind, present, options),
                      notes=linked.notes, warnings=linked.warnings)
    if outcome.rows_rejected:
        outcome.errors = checking.reported_errors(cursor)
        outcome.error_count = checking.error_count(cursor)
        if save_rejected:
            save_rejected(lambda out: checking.write_rejected_csv(cursor, present, out))
        if on_error == REJECT:
            rows = outcome.rows_rejected
            outcome.failure = (f"{rows:,} row{'s have' if rows > 1 else ' has'} errors, so nothing was "
                               f"imported (on_error=reject). Fix the rows listed, or import with "
                               f"on_error=skip to write the valid rows.")
            return outcome
        if mode == "replace":
            writing.keep_rejected_keys(cursor)
        checking.drop_rejected(cursor)
    outcome.warnings += checking.drop_superseded(cursor, kind, present)
    # Before-images of everything written from here on, for the import's undo.
    writing.begin_changes(cursor)
    if kind.creates_customers and "customer_id" in {column.name for column in present}:
        made, examples = writing.create_bare_customers(cursor)
        if made:
            more = f" and {made - len(examples)} more" if made > len(examples) else ""
            outcome.warnings.append(
                f"{made:,} customer_id value{'s were' if made > 1 else ' was'} not among your customers; "
                f"{'they were' if made > 1 else 'it was'} created as bare customers: "
                f"{', '.join(examples)}{more}. Import customers to fill in their details.")
    if kind.creates_custom_metrics:
        slugs = writing.create_custom_metrics(cursor, reserved=set(RESERVED_METRICS) | set(BY_KEY))
        if slugs:
            outcome.warnings.append(f"New custom KPI{'s' if len(slugs) > 1 else ''}: {', '.join(slugs)}.")
    written = writing.upsert(cursor, kind, present)
    if extra:
        extra_columns.keep(cursor, kind, extra)
    outcome.rows_created, outcome.rows_updated = written.created, written.updated
    outcome.rows_unchanged = written.unchanged
    if mode == "replace":
        replaced = writing.replace(cursor, kind, present, rejected=outcome.rows_rejected)
        outcome.rows_deleted = replaced.deleted
        outcome.warnings += replaced.warnings
    if not (outcome.rows_created or outcome.rows_updated or outcome.rows_deleted):
        outcome.warnings.insert(0, _nothing_written(written.unchanged, outcome.rows_rejected))
    return outcome


def _nothing_written(unchanged: int, skipped: int) -> str:
    """An import that changed nothing must not read as a plain success."""
    if not unchanged:
        return (f"Nothing was written: every row was skipped ({skipped:,} row{'s' if skipped != 1 else ''} "
                f"with errors).")
    stored = f"{'all ' if unchanged > 1 and not skipped else ''}{unchanged:,} row{'s' if unchanged != 1 else ''}"
    also = f", and {skipped:,} row{'s were' if skipped != 1 else ' was'} skipped" if skipped else ""
    return (f"Nothing changed: {stored} {'were' if unchanged != 1 else 'was'} already stored exactly "
            f"as in the file{also}.")


def _drop_work_tables(cursor) -> None:
    """Temp tables die with the session anyway; drop them now so a long-lived worker
    connection does not carry a million staged rows to its next task."""
    if connection.needs_rollback:
        return
    try:
        with transaction.atomic():
            checking.drop_work_tables(cursor)
    except DatabaseError:
        pass
