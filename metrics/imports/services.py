"""The business operations of imports, called alike by the pages and the API: start an
import of an uploaded file (its task runs it: running.py), import a list of records at
once, run a failed one again."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone

from jobs.models import Job
from metrics.data import selectors as data_selectors
from metrics.formatting import moment
from metrics.imports import accounts, preview, selectors, sources, tasks, writing
from metrics.imports import coupons as coupon_values
from metrics.imports import mapping as mappings
from metrics.imports.kinds import KINDS
from metrics.imports.pipeline import REJECT, SKIP
from metrics.imports.reading import FileProblem, records_table
from metrics.imports.settled import SettleProblem
from metrics.imports.running import notice_abandoned, run_locked
from metrics.kpis.tasks import recompute_kpis
from metrics.models import DataImport

JOB_KIND = "import"
API_MAX_RECORDS = 10_000


# --- Starting ---------------------------------------------------------------------------------

def max_bytes() -> int:
    return settings.KPIHUB_IMPORT_MAX_BYTES


def check_options(*, kind: str, on_error: str, date_format: str,
                  amount_unit: str = DataImport.AmountUnit.UNITS, mode: str = DataImport.Mode.UPSERT) -> None:
    problems = {}
    if kind not in KINDS:
        problems["kind"] = [f"Unknown kind “{kind}”. Choose one of: {', '.join(KINDS)}."]
    if on_error not in (REJECT, SKIP):
        problems["on_error"] = ["Use reject (nothing is written if any row has an error) or skip."]
    if date_format not in DataImport.DateFormat.values:
        problems["date_format"] = ["Use DD/MM/YYYY or MM/DD/YYYY, or leave it empty for YYYY-MM-DD."]
    if amount_unit not in DataImport.AmountUnit.values:
        problems["amount_unit"] = ["Use units (amounts as written) or cents (amounts divided by 100)."]
    if mode not in DataImport.Mode.values:
        problems["mode"] = ["Use upsert (add and update) or replace (the file is the whole truth for its kind)."]
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


def start_import(*, kind: str = "", upload, on_error: str = REJECT, date_format: str = "",
                 amount_unit: str = DataImport.AmountUnit.UNITS, mode: str = DataImport.Mode.UPSERT,
                 source: str = "", mapping=None, categories=None, coupons=None, by=None) -> DataImport:
    """Keep the uploaded file with a new import record and queue its task (after the
    commit, so the worker finds both). With no ``source`` named, the file's head is
    matched against the declared sources; ``kind`` may be left out when the source
    (named or recognised) implies it, or when the tenant confirmed a mapping for the
    file's header. ``mapping`` (mapping.py) is checked against the file's head here;
    without one, the task applies the mapping remembered for the header, if any.
    ``categories`` (accounts.py) are the categories chosen for a report's accounts;
    the task applies them over the tenant's confirmed ones, and remembers them when
    the import succeeds; ``coupons`` (coupons.py), the values of a Stripe export's
    coupons, likewise."""
    if upload is None:
        if kind:
            check_options(kind=kind, on_error=on_error, date_format=date_format, amount_unit=amount_unit,
                          mode=mode)
        raise ValidationError({"file": ["Choose a file to import."]})
    kind, source = read_as(kind=kind, source=source, upload=upload)
    check_options(kind=kind, on_error=on_error, date_format=date_format, amount_unit=amount_unit, mode=mode)
    check_size(upload.size)
    mapping = checked_mapping(kind=kind, source=source, mapping=mapping, upload=upload)
    categories = accounts.CATEGORIES.meaningful(source, checked_categories(source=source, categories=categories))
    coupons = coupon_values.VALUES.meaningful(source, checked_coupons(source=source, coupons=coupons))
    with transaction.atomic():
        record = _new_record(kind=kind, on_error=on_error, date_format=date_format, by=by,
                             origin=DataImport.Origin.UPLOAD, name=upload.name, content=upload,
                             amount_unit=amount_unit, mode=mode, source=source, mapping=mapping,
                             account_categories=categories, coupons=coupons)
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
                         origin=DataImport.Origin.API, name=f"{kind}.json", content=ContentFile(body))
    run_locked(record, table_factory=lambda _file: records_table(records))
    record.refresh_from_db()
    return record


def read_as(*, kind: str, source: str, upload) -> tuple[str, str]:
    """The kind and the source an upload is read as: the source named, else the one
    its head looks like (if any); the kind given, else the source's. A file that looks
    like a source of another kind than the one given is refused, naming that source."""
    if source:
        if source not in sources.SOURCES:
            raise ValidationError({"source": [f"Unknown source “{source}”. Choose one of: "
                                              f"{', '.join(sources.SOURCES)}, or leave it empty."]})
        declared = sources.SOURCES[source]
        if kind and kind != declared.kind:
            raise ValidationError({"kind": [f"A {declared.name} holds {declared.kind}, not {kind}."]})
        return declared.kind, source
    found = [candidate for candidate in sources.detect(upload, name=upload.name or "")
             if not kind or candidate.kind == kind]
    if found:
        return found[0].kind, found[0].key
    if kind:
        other = sources.detect(upload, name=upload.name or "")
        if other:
            raise ValidationError({"kind": [
                f"This file looks like a {other[0].name} ({other[0].vendor}), which holds {other[0].kind}, "
                f"not {kind}. Import it as {other[0].kind}, or leave the kind empty."]})
        return kind, ""
    remembered = _remembered_kinds(upload)
    if len(remembered) == 1:
        return remembered[0], ""
    raise ValidationError({"kind": [
        "Choose the kind of data: the file does not look like any export KPI Hub knows "
        f"({', '.join(source.name for source in sources.SOURCES.values())})."]})


def _remembered_kinds(upload) -> list[str]:
    """The kinds the tenant confirmed a mapping for this file's header as."""
    try:
        return mappings.remembered_kinds(preview.read_head(upload, name=upload.name or "").header)
    except FileProblem:
        return []


def checked_mapping(*, kind: str, source: str, mapping, upload) -> dict:
    """``mapping`` read and checked against the kind and the file's header (the
    source's columns, for a source); {} for none."""
    try:
        mapping = mappings.parse(mapping)
    except mappings.MappingProblem as problem:
        raise ValidationError({"mapping": [str(problem)]}) from None
    if not mapping:
        return {}
    try:
        file_header = preview.read_head(upload, name=upload.name or "").header
    except FileProblem:
        return mapping   # the task says why the file cannot be read
    header = sources.SOURCES[source].columns if source else file_header
    problems = mappings.check(KINDS[kind], mapping, header)
    if problems:
        raise ValidationError({"mapping": problems})
    # One that changes nothing is not recorded (nor remembered), unless it overrides a
    # remembered one.
    if mappings.is_plain(KINDS[kind], mapping, header) and mappings.remembered(kind, file_header, source) is None:
        return {}
    return mapping


def checked_categories(*, source: str, categories) -> dict[str, str]:
    """The categories chosen for a report's accounts, read and checked; {} for none."""
    try:
        return accounts.CATEGORIES.parse(categories, source)
    except SettleProblem as problem:
        raise ValidationError({"categories": [str(problem)]}) from None


def checked_coupons(*, source: str, coupons) -> dict[str, dict]:
    """The values given for a Stripe export's coupons, read and checked; {} for none."""
    try:
        return coupon_values.VALUES.parse(coupons, source)
    except SettleProblem as problem:
        raise ValidationError({"coupons": [str(problem)]}) from None


def preview_import(*, upload, kind: str = "", source: str = "", mapping=None, date_format: str = "",
                   amount_unit: str = DataImport.AmountUnit.UNITS, categories=None,
                   coupons=None) -> preview.Preview:
    """What importing ``upload`` would do, from its head (preview.py). Nothing is
    written. The kind, when neither given nor implied by a source, is the one the
    tenant confirmed a mapping for this header as, else guessed from its columns. For
    a report with accounts (QuickBooks), the accounts of the whole report (up to
    ``settled.LISTING_ROWS`` rows) are listed with the category each will get:
    ``categories`` chosen, else confirmed, else the account map's. A Stripe
    subscriptions export's coupons are listed likewise with their values: ``coupons``
    given, else confirmed, else none."""
    if upload is None:
        raise ValidationError({"file": ["Choose a file to preview."]})
    check_size(upload.size)
    try:
        head = preview.read_head(upload, name=upload.name or "", size=upload.size)
    except FileProblem as problem:
        raise ValidationError({"file": [str(problem)]}) from None
    notes, guessed = [], False
    detected = bool(sources.detect(head.sample, name=upload.name or ""))
    if not kind and not source and not detected:
        remembered = mappings.remembered_kinds(head.header)
        kind = remembered[0] if len(remembered) == 1 else mappings.guess_kind(head.header) or ""
        guessed = bool(kind) and len(remembered) != 1
        if guessed:
            notes.append(f"The file looks like no export KPI Hub knows; its columns look like {kind} "
                         f"(guessed from the header). Choose another kind if that is wrong.")
    if kind or source or detected:
        # The source, when there is one, says "Read as ..." itself as it is applied.
        kind, source = read_as(kind=kind, source=source, upload=head.sample)
    if kind:
        check_options(kind=kind, on_error=REJECT, date_format=date_format, amount_unit=amount_unit)
    given = checked_mapping(kind=kind, source=source, mapping=mapping, upload=head.sample) if (
        kind and mapping not in (None, "")) else None
    choices = accounts.CATEGORIES.confirmed(source, checked_categories(source=source, categories=categories)) if (
        accounts.CATEGORIES.names_in(source)) else None
    values = coupon_values.VALUES.confirmed(source, checked_coupons(source=source, coupons=coupons)) if (
        coupon_values.VALUES.names_in(source)) else None
    tenant = connection.tenant
    found = preview.build(head, kind=kind or None, source=source, given=given, date_format=date_format,
                          amount_unit=amount_unit, timezone=getattr(tenant, "timezone", "UTC"),
                          currency=getattr(tenant, "currency", "USD"), notes=notes, guessed=guessed,
                          choices=choices, values=values)
    if values is not None:
        try:
            found.coupons, listed = coupon_values.listing(upload, name=upload.name or "", coupons=values)
        except FileProblem:
            listed = []
        found.notes += listed
    if choices is not None:
        try:
            found.accounts, listed = accounts.listing(upload, name=upload.name or "", choices=choices)
        except FileProblem:
            listed = []   # the preview's problems say why the file cannot be read
        found.notes += listed
    return found


def _new_record(*, kind, on_error, date_format, by, origin, name, content,
                amount_unit=DataImport.AmountUnit.UNITS, mode=DataImport.Mode.UPSERT,
                source: str = "", mapping: dict | None = None,
                account_categories: dict | None = None, coupons: dict | None = None) -> DataImport:
    user = by if by is not None and by.is_authenticated else None
    job = Job.objects.create(kind=JOB_KIND, created_by=user)
    record = DataImport(kind=kind, job=job, origin=origin, on_error=on_error, date_format=date_format,
                        amount_unit=amount_unit, mode=mode, source=source, mapping=mapping or {},
                        account_categories=account_categories or {}, coupons=coupons or {},
                        created_by=user, file_name=(name or "upload")[-255:], file_size=content.size)
    record.file.save((name or "upload").rsplit("/", 1)[-1], content, save=False)
    record.save()
    return record


def retry_import(*, record: DataImport, on_error: str = "") -> DataImport:
    """Run a failed import again from its kept file (safe: an import is idempotent).
    ``on_error=skip`` after a rejected import writes its valid rows."""
    notice_abandoned(record)
    if record.status != Job.Status.FAILED:
        raise ValidationError({"detail": ["Only a failed import can be run again."]})
    if on_error and on_error not in (REJECT, SKIP):
        raise ValidationError({"on_error": ["Use reject (nothing is written if any row has an error) or skip."]})
    with transaction.atomic():
        Job.objects.filter(pk=record.job_id).update(
            status=Job.Status.QUEUED, error="", progress_done=0, progress_total=None,
            started_at=None, finished_at=None, result={})
        DataImport.objects.filter(pk=record.pk).update(
            rows_total=0, rows_created=0, rows_updated=0, rows_unchanged=0, rows_rejected=0,
            rows_deleted=0, error_count=0, errors=[], warnings=[], notes=[], rejected_file="",
            on_error=on_error or record.on_error)
        tasks.run_data_import.delay_on_commit(str(record.pk))
    record.refresh_from_db()
    record.job.refresh_from_db()
    return record


# --- Undo, delete -----------------------------------------------------------------------------

class Conflict(ValidationError):
    """The data is not in a state that allows it (the API answers 409); ``later`` is
    the import in the way, when one is."""

    def __init__(self, message: str, *, later: DataImport | None = None):
        super().__init__(message)
        self.later = later


def undo_import(*, record: DataImport, by=None) -> DataImport:
    """Restore the data as it was before ``record`` (the latest import of its kind), in
    one transaction, recorded as an import of origin "undo" that reverts it."""
    kind = KINDS[record.kind]
    with transaction.atomic(), connection.cursor() as cursor:
        # The kind's import lock: no import of the kind can start or finish meanwhile.
        writing.lock_kinds(cursor, kind)
        record = DataImport.objects.select_related("job").select_for_update(of=("self",)).get(pk=record.pk)
        _check_undoable(cursor, record)
        reverted = writing.revert(cursor, record.pk, kind)
        undo = _finished_record(
            kind=record.kind, origin=DataImport.Origin.UNDO, by=by, reverts=record,
            name=f"Undo of {record.file_name}"[:255], warnings=reverted.warnings,
            rows_created=reverted.recreated, rows_updated=reverted.restored, rows_deleted=reverted.removed)
        record.undone_at = undo.created_at
        record.save(update_fields=["undone_at"])
        recompute_kpis.delay_on_commit()
    return undo


def _check_undoable(cursor, record: DataImport) -> None:
    if record.origin == DataImport.Origin.UNDO:
        raise Conflict("An undo cannot be undone: import the data again instead.")
    if record.undone_at:
        raise Conflict(f"This import was already undone ({moment(record.undone_at)}).")
    if record.status != Job.Status.SUCCEEDED:
        raise Conflict("This import did not succeed, so it wrote nothing: there is nothing to undo.")
    latest = selectors.latest_undoable(record.kind)
    if latest is not None and latest.pk != record.pk:
        raise Conflict(f"Only the latest import of {record.kind} can be undone, and a later one exists: "
                       f"{selectors.describe(latest)}. Undo that one first.", later=latest)
    wrote = record.rows_created or record.rows_updated or record.rows_deleted
    if wrote and not writing.has_changes(cursor, record.pk):
        raise Conflict("This import was made before KPI Hub kept what imports change, so it cannot be undone.")


def delete_record(*, kind: str, key: str, values: dict | None = None, by=None) -> DataImport:
    """Delete one stored record by its key (``data.selectors.record_by_key``), recorded
    as an import of origin "delete" that can be undone like any other. A record other
    records refer to (a customer with subscriptions or invoices) is refused."""
    declared = KINDS[kind]
    with transaction.atomic(), connection.cursor() as cursor:
        writing.lock_kinds(cursor, declared)
        pk = data_selectors.record_by_key(declared, key, values or {})
        referring = writing.referenced_by(cursor, declared, pk)
        if referring:
            raise Conflict(f"{declared.label} {key} is not deleted: {' and '.join(referring)} refer to it. "
                           f"Delete or re-import those first.")
        writing.begin_changes(cursor)
        writing.delete_record(cursor, declared, pk)
        record = _finished_record(kind=kind, origin=DataImport.Origin.DELETE, by=by,
                                  name=f"{declared.name} {key}"[:255], rows_deleted=1)
        writing.keep_changes(cursor, record.pk)
        recompute_kpis.delay_on_commit()
    return record


def _finished_record(*, kind: str, origin: str, by, name: str, reverts: DataImport | None = None,
                     warnings: list[str] | None = None, **counts) -> DataImport:
    """The history's record of a change made at once (an undo, a deletion): succeeded,
    with its counts, and no file."""
    user = by if by is not None and by.is_authenticated else None
    now = timezone.now()
    total = sum(counts.values())
    job = Job.objects.create(kind=JOB_KIND, created_by=user, status=Job.Status.SUCCEEDED, started_at=now,
                             finished_at=now, progress_done=total, progress_total=total, result=counts)
    return DataImport.objects.create(kind=kind, job=job, origin=origin, created_by=user, created_at=now,
                                     file_name=name, reverts=reverts, rows_total=total,
                                     warnings=warnings or [], **counts)
