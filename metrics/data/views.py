"""The Data page of a kind: browse, search and export (CSV) what is stored."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.roles import member_required
from metrics.data import export, selectors
from metrics.imports.kinds import KINDS

PAGE_SIZE = 50


def _filters(request) -> dict:
    return {"search": request.GET.get("q", "").strip(), "date_from": request.GET.get("from", ""),
            "date_to": request.GET.get("to", "")}


@member_required
def data_page(request, kind):
    kind = selectors.kind_or_404(kind)
    filters, problem = _filters(request), ""
    try:
        rows = selectors.records(kind, **filters)
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    except ValidationError as error:
        problem = " ".join(error.messages)
        page = Paginator(kind.model.objects.none(), PAGE_SIZE).get_page(1)
    table = [[selectors.as_text(kind, record)[name] for name in kind.column_names] for record in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "metrics/data/browse.html", {
        "kind": kind, "kinds": KINDS.values(), "page": page, "table": table, "problem": problem,
        "q": filters["search"], "date_from": filters["date_from"], "date_to": filters["date_to"],
        "query": query.urlencode()}, status=400 if problem else 200)


@member_required
def data_export(request, kind):
    kind = selectors.kind_or_404(kind)
    try:
        rows = selectors.records(kind, **_filters(request))
    except ValidationError:
        rows = selectors.records(kind)
    response = StreamingHttpResponse(export.csv_lines(kind, rows.iterator(chunk_size=2000)),
                                     content_type="text/csv; charset=utf-8")
    name = f"{kind.name}-{timezone.localdate():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
