"""Reads of a tenant's imports, shared by the Imports pages and ``/api/v1/imports/``."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from jobs.models import Job
from metrics.formatting import moment
from metrics.imports.running import notice_abandoned
from metrics.models import DataImport


def import_history() -> QuerySet[DataImport]:
    """This tenant's imports, newest first, with what a list shows of each."""
    return DataImport.objects.select_related("job", "created_by").order_by("-created_at")


def visible_import(pk) -> DataImport:
    """An import of this tenant (the schema is the tenant's), or 404; an import whose
    worker died is noticed (and marked failed) as it is read."""
    record = get_object_or_404(DataImport.objects.select_related("job", "created_by"), pk=pk)
    notice_abandoned(record)
    return record


def rejected_rows_download(record: DataImport) -> FileResponse:
    """The import's rejected rows as a CSV attachment, or 404 when it has none."""
    if not record.rejected_file:
        raise Http404("This import has no rejected rows.")
    name = f"{record.kind}-rejected-{record.created_at:%Y%m%d-%H%M}.csv"
    return FileResponse(record.rejected_file.open("rb"), as_attachment=True, filename=name,
                        content_type="text/csv; charset=utf-8")


def latest_undoable(kind: str) -> DataImport | None:
    """The import of ``kind`` an undo would revert: the latest that succeeded and is
    not undone (undos themselves do not count, so undoing again goes one further back)."""
    return (DataImport.objects.select_related("job")
            .filter(kind=kind, job__status=Job.Status.SUCCEEDED, undone_at__isnull=True)
            .exclude(origin=DataImport.Origin.UNDO)
            .order_by("-job__finished_at", "-created_at").first())


def can_undo(record: DataImport) -> bool:
    """Whether the import's page offers Undo: it is the latest import of its kind."""
    if record.origin == DataImport.Origin.UNDO or record.undone_at or record.status != Job.Status.SUCCEEDED:
        return False
    latest = latest_undoable(record.kind)
    return latest is not None and latest.pk == record.pk


def describe(record: DataImport) -> str:
    """An import named in a message: when, what, and its id."""
    return (f"{record.get_origin_display().lower()} “{record.file_name}” of "
            f"{moment(record.created_at)} (id {record.pk})")


def wrote_nothing(record: DataImport) -> bool:
    """A finished import that succeeded without creating, updating or deleting a record."""
    return (record.status == Job.Status.SUCCEEDED
            and not (record.rows_created or record.rows_updated or record.rows_deleted))
