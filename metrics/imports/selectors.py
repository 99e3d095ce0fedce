"""Reads of a tenant's imports, shared by the Imports pages and ``/api/v1/imports/``."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

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
