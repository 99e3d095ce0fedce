"""The Imports page: kind picker, upload (drag and drop over a plain file input),
templates and column guide, history; an import's page with its live progress (htmx
polls a small fragment), error table and rejected-rows download."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.roles import ADMIN_ROLES, admin_required, has_role, member_required
from metrics.imports import samples, selectors, services
from metrics.imports.kinds import KINDS
from metrics.models import DataImport

HISTORY = 25


@member_required
def imports_page(request):
    chosen = request.POST.get("kind") or request.GET.get("kind") or "customers"
    chosen = chosen if chosen in KINDS else "customers"
    problems: dict = {}
    if request.method == "POST":
        if not has_role(request.user, *ADMIN_ROLES):
            return HttpResponse("Only owners and admins can import data.", status=403)
        try:
            record = services.start_import(kind=chosen, upload=request.FILES.get("file"), by=request.user,
                                           on_error=request.POST.get("on_error", "reject"),
                                           date_format=request.POST.get("date_format", ""),
                                           mode=request.POST.get("mode", DataImport.Mode.UPSERT),
                                           amount_unit=request.POST.get("amount_unit", DataImport.AmountUnit.UNITS))
        except ValidationError as error:
            problems = error.message_dict
        else:
            return redirect("import-detail", pk=record.pk)
    history = list(selectors.import_history()[:HISTORY])
    for item in history:
        item.wrote_nothing = selectors.wrote_nothing(item)
    return render(request, "metrics/imports/index.html", {
        "kinds": KINDS.values(), "chosen": KINDS[chosen], "history": history, "problems": problems,
        "can_import": has_role(request.user, *ADMIN_ROLES), "max_mb": services.max_bytes() // 1_000_000,
        "date_formats": DataImport.DateFormat.choices, "modes": DataImport.Mode.choices,
    }, status=400 if problems else 200)


@member_required
def import_detail(request, pk):
    return render(request, "metrics/imports/detail.html", _context(request, selectors.visible_import(pk)))


@member_required
def import_progress(request, pk):
    """The fragment htmx polls every second while the import runs; once finished it
    comes without the polling trigger, and the page shows the outcome."""
    return render(request, "metrics/imports/_progress.html", _context(request, selectors.visible_import(pk)))


def _context(request, record: DataImport) -> dict:
    can_import = has_role(request.user, *ADMIN_ROLES)
    return {"record": record, "job": record.job, "kind": KINDS.get(record.kind), "can_import": can_import,
            "can_undo": can_import and record.is_finished and selectors.can_undo(record),
            "wrote_nothing": selectors.wrote_nothing(record),
            "nothing_message": next((warning for warning in record.warnings if warning.startswith("Nothing")),
                                    "Nothing was written: no record was created, updated or deleted.")}


@member_required
def rejected_rows(request, pk):
    return selectors.rejected_rows_download(selectors.visible_import(pk))


@admin_required
@require_POST
def import_retry(request, pk):
    """Run a failed import again; ``on_error=skip`` (the rejected import's "Import the
    valid rows") writes the rows without errors."""
    try:
        services.retry_import(record=selectors.visible_import(pk), on_error=request.POST.get("on_error", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("import-detail", pk=pk)


@admin_required
@require_POST
def import_undo(request, pk):
    """Undo the import (the form asks for a confirmation first); the page of the undo
    follows."""
    try:
        undo = services.undo_import(record=selectors.visible_import(pk), by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("import-detail", pk=pk)
    messages.success(request, "The import was undone: the data is back as it was before it.")
    return redirect("import-detail", pk=undo.pk)


@member_required
def template_download(request, kind, fmt):
    declared = KINDS.get(kind)
    if declared is None or fmt not in ("csv", "xlsx"):
        raise Http404("No such template.")
    if fmt == "csv":
        body, content_type = samples.template_csv(declared), samples.CSV_TYPE
    else:
        body, content_type = samples.template_xlsx(declared), samples.XLSX_TYPE
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="kpihub-{kind}-template.{fmt}"'
    return response
