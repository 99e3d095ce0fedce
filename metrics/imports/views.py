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
from metrics.imports import accounts, pending, samples, selectors, services
from metrics.imports.kinds import KINDS
from metrics.imports.sources import SOURCES
from metrics.models import DataImport

HISTORY = 25


@member_required
def imports_page(request):
    """The page; its form imports a file at once, or the file kept by its preview
    (``pending``) with the mapping chosen there. A file that cannot be imported as it
    is (no kind recognised, required columns missing), or whose kind is only guessed,
    gets the preview's mapping step instead of a bare error."""
    # The column guide's own select ("guide") changes only the guide; a link to
    # ?kind=... chooses the upload's kind and shows its guide.
    chosen = request.GET.get("guide") or request.POST.get("kind") or request.GET.get("kind") or "customers"
    chosen = chosen if chosen in KINDS else "customers"
    problems: dict = {}
    if request.method == "POST":
        if not has_role(request.user, *ADMIN_ROLES):
            return HttpResponse("Only owners and admins can import data.", status=403)
        upload, token = request.FILES.get("file"), request.POST.get("pending", "")
        options = _options(request.POST)
        try:
            if upload is None and pending.name_of(token):
                return _import_kept(request, token, options)
            if upload is not None:
                found = services.preview_import(upload=upload, kind=options["kind"],
                                                date_format=options["date_format"],
                                                amount_unit=options["amount_unit"])
                # A report's accounts the account map does not know, and an export's coupons
                # nobody valued, are asked about once, in the preview.
                if found.blocking or found.guessed or found.unconfirmed_accounts or _unvalued_coupons(found):
                    return _preview_page(request, found, pending.keep(upload), options)
            record = services.start_import(upload=upload, by=request.user, **options)
        except ValidationError as error:
            problems = error.message_dict
        else:
            return redirect("import-detail", pk=record.pk)
    return render(request, "metrics/imports/index.html", {
        **_page_context(request), "chosen": KINDS[chosen], "problems": problems,
        "upload_kind": request.POST.get("kind", request.GET.get("kind", "")),
    }, status=400 if problems else 200)


def _page_context(request) -> dict:
    history = list(selectors.import_history()[:HISTORY])
    for item in history:
        item.wrote_nothing = selectors.wrote_nothing(item)
    return {"kinds": KINDS.values(), "history": history,
            "can_import": has_role(request.user, *ADMIN_ROLES), "max_mb": services.max_bytes() // 1_000_000,
            "date_formats": DataImport.DateFormat.choices, "modes": DataImport.Mode.choices}


def _options(form) -> dict:
    return {"kind": form.get("kind", "") or form.get("mapped_kind", ""),
            "on_error": form.get("on_error", "reject"), "date_format": form.get("date_format", ""),
            "mode": form.get("mode", DataImport.Mode.UPSERT),
            "amount_unit": form.get("amount_unit", DataImport.AmountUnit.UNITS)}


def _form_mapping(form, kind: str) -> dict | None:
    """The mapping chosen in the preview's selects, when they are for ``kind``: per
    column ``map-<column>`` is "" (nothing), "file:<column>" or "value" (the constant
    in ``value-<column>``)."""
    if not kind or form.get("mapped_kind") != kind or kind not in KINDS:
        return None
    mapping = {}
    for column in KINDS[kind].column_names:
        choice = form.get(f"map-{column}")
        if choice is None:
            continue
        if choice == "value":
            mapping[column] = {"value": form.get(f"value-{column}", "")}
        elif choice.startswith("file:"):
            mapping[column] = choice.removeprefix("file:")
        else:
            mapping[column] = None
    return mapping


def _form_categories(form) -> dict | None:
    """The categories chosen in the preview's account selects: ``account-<n>`` names
    the account, ``account-category-<n>`` its category."""
    categories, index = {}, 0
    while f"account-{index}" in form:
        category = form.get(f"account-category-{index}", "")
        if category:
            categories[form[f"account-{index}"]] = category
        index += 1
    return categories or None


def _unvalued_coupons(found) -> bool:
    return any(item["from"] == "unknown" for item in found.coupons)


def _form_coupons(form) -> dict | None:
    """The values typed in the preview's coupon rows: ``coupon-<n>`` names the coupon,
    ``coupon-off-<n>`` its value, ``coupon-unit-<n>`` percent_off or amount_off and
    ``coupon-duration-<n>`` how long it lasts; a row left empty gives no value."""
    values, index = {}, 0
    while f"coupon-{index}" in form:
        off = form.get(f"coupon-off-{index}", "").strip()
        if off:
            unit = form.get(f"coupon-unit-{index}", "percent_off")
            values[form[f"coupon-{index}"]] = {unit: off, "duration": form.get(f"coupon-duration-{index}", "")}
        index += 1
    return values or None


def _import_kept(request, token: str, options: dict):
    kept = pending.open_kept(token)
    categories, coupons = _form_categories(request.POST), _form_coupons(request.POST)
    try:
        record = services.start_import(upload=kept, by=request.user, categories=categories, coupons=coupons,
                                       mapping=_form_mapping(request.POST, options["kind"]), **options)
    except ValidationError as error:
        kept.close()
        try:
            found = _preview_of(token, options, _form_mapping(request.POST, options["kind"]), categories,
                                coupons)
        except ValidationError:
            found = None
        return _preview_page(request, found, token, options, problems=error.message_dict)
    kept.close()
    pending.discard(token)
    return redirect("import-detail", pk=record.pk)


def _preview_of(token: str, options: dict, mapping: dict | None, categories: dict | None = None,
                coupons: dict | None = None):
    kept = pending.open_kept(token)
    try:
        return services.preview_import(upload=kept, kind=options["kind"], mapping=mapping,
                                       date_format=options["date_format"], amount_unit=options["amount_unit"],
                                       categories=categories, coupons=coupons)
    finally:
        kept.close()


@admin_required
@require_POST
def import_preview(request):
    """The preview of the chosen file (kept for the import that follows): a fragment
    for htmx, or the whole page without JavaScript."""
    upload, token = request.FILES.get("file"), request.POST.get("pending", "")
    options = _options(request.POST)
    mapping = categories = coupons = None
    if upload is not None:
        pending.discard(token)
        token = pending.keep(upload)
        options["kind"] = request.POST.get("kind", "")
    else:
        mapping, categories = _form_mapping(request.POST, options["kind"]), _form_categories(request.POST)
        coupons = _form_coupons(request.POST)
    found, problems = None, {}
    if not pending.name_of(token):
        problems = {"file": ["Choose a file to preview."]}
    else:
        try:
            found = _preview_of(token, options, mapping, categories, coupons)
        except ValidationError as error:
            problems = error.message_dict
    return _preview_page(request, found, token if found or pending.name_of(token) else "", options,
                         problems=problems)


def _preview_page(request, found, token: str, options: dict, problems: dict | None = None):
    context = {"preview": found, "pending": token, "pending_name": pending.name_of(token) if token else "",
               "options": options, "problems": problems or {},
               "columns": _mapping_rows(found) if found and found.kind else [],
               "accounts": _account_rows(found) if found else [],
               "coupons": _coupon_rows(found) if found else []}
    if request.htmx:
        return render(request, "metrics/imports/_preview.html", context)
    chosen = KINDS.get((found.kind if found else "") or options["kind"]) or KINDS["customers"]
    return render(request, "metrics/imports/preview.html", {
        **_page_context(request), **context, "chosen": chosen,
        "upload_kind": request.POST.get("kind", "")})


def _mapping_rows(found) -> list[dict]:
    """Each kind column with the options of its select, the chosen one marked."""
    rows = []
    for column in found.columns:
        origin = column["from"] or {}
        current = ("value" if "value" in origin else f"file:{origin['column']}" if "column" in origin else "")
        choices = [("", "nothing")] + [(f"file:{name}", name) for name in found.file_columns] + \
            [("value", "a constant…")]
        rows.append({**column, "current": current, "choices": choices,
                     "constant": origin.get("value", ""), "how": origin.get("source", "")})
    return rows


def _coupon_rows(found) -> list[dict]:
    """Each coupon of a Stripe export with what its inputs show: its value (given or
    confirmed), the unit and the duration."""
    rows = []
    for item in found.coupons:
        value = item["value"] or {}
        unit = "amount_off" if "amount_off" in value else "percent_off"
        rows.append({**item, "off": value.get(unit, ""), "unit": unit,
                     "duration": value.get("duration", "forever")})
    return rows


def _account_rows(found) -> list[dict]:
    """Each account of a report with the options of its category select."""
    return [{**item, "choices": [(value, label, value == item["category"])
                                 for value, label in accounts.LABELS.items()],
             "guess_label": accounts.LABELS[item["guess"]]} for item in found.accounts]


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
            "source": SOURCES.get(record.source), "mapping": _mapping_read(record.mapping),
            "can_undo": can_import and record.is_finished and selectors.can_undo(record),
            "wrote_nothing": selectors.wrote_nothing(record),
            "nothing_message": next((warning for warning in record.warnings if warning.startswith("Nothing")),
                                    "Nothing was written: no record was created, updated or deleted.")}


def _mapping_read(mapping: dict | None) -> list[dict]:
    """The mapping an import was read with, one line per kind column: from a file
    column, a constant, or nothing (the column left empty)."""
    lines = []
    for column, origin in (mapping or {}).items():
        if isinstance(origin, dict):
            lines.append({"column": column, "how": "value", "what": origin.get("value", "")})
        else:
            lines.append({"column": column, "how": "file" if origin else "nothing", "what": origin or ""})
    return lines


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
