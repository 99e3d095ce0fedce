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
                                           date_format=request.POST.get("date_format", ""))
        except ValidationError as error:
            problems = error.message_dict
        else:
            return redirect("import-detail", pk=record.pk)
    history = selectors.import_history()[:HISTORY]
    return render(request, "metrics/imports/index.html", {
        "kinds": KINDS.values(), "chosen": KINDS[chosen], "history": history, "problems": problems,
        "can_import": has_role(request.user, *ADMIN_ROLES), "max_mb": services.max_bytes() // 1_000_000,
        "date_formats": DataImport.DateFormat.choices,
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
    return {"record": record, "job": record.job, "kind": KINDS.get(record.kind),
            "can_import": has_role(request.user, *ADMIN_ROLES)}


@member_required
def rejected_rows(request, pk):
    return selectors.rejected_rows_download(selectors.visible_import(pk))


@admin_required
@require_POST
def import_retry(request, pk):
    try:
        services.retry_import(record=selectors.visible_import(pk))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("import-detail", pk=pk)


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
