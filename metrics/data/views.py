"""The Data page of a kind: browse, search, filter by customers (the shared filter bar)
and export (CSV) what is stored, and (for admins) delete one record."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.roles import ADMIN_ROLES, admin_required, has_role, member_required
from metrics.data import export, selectors
from metrics.imports import services
from metrics.imports.kinds import KINDS
from metrics.segments.bar import filter_bar, kept_params

PAGE_SIZE = 50
# The page's own GET parameters, kept by the filter bar's form. Not the page number: a
# new filter lists other rows, so it starts on their first page.
OWN_PARAMS = ("q", "from", "to")


def _filters(request) -> dict:
    return {"search": request.GET.get("q", "").strip(), "date_from": request.GET.get("from", ""),
            "date_to": request.GET.get("to", "")}


@member_required
def data_page(request, kind):
    kind = selectors.kind_or_404(kind)
    filters, bar = _filters(request), filter_bar(request)
    # A wrong filter lists nothing: every row under a filter that was not applied misleads.
    problem = bar.error
    texts, page = [], Paginator(kind.model.objects.none(), PAGE_SIZE).get_page(1)
    if not problem:
        try:
            with selectors.segment_records(kind, bar.filter, **filters) as rows:
                page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
                texts = [selectors.as_text(kind, record) for record in page]
        except ValidationError as error:
            problem = " ".join(error.messages)
    table = [[text[name] for name in kind.column_names] for text in texts]
    query = request.GET.copy()
    query.pop("page", None)
    can_delete = has_role(request.user, *ADMIN_ROLES)
    keys = [selectors.key_of(kind, text) for text in texts] if can_delete else []
    return render(request, "metrics/data/browse.html", {
        "kind": kind, "kinds": KINDS.values(), "page": page, "table": table, "problem": problem,
        "bar": bar, "keep": kept_params(request, OWN_PARAMS),
        "following": selectors.FOLLOWING_KINDS, "filter_query": bar.filter.text if bar.active else "",
        "q": filters["search"], "date_from": filters["date_from"], "date_to": filters["date_to"],
        "query": query.urlencode(), "can_delete": can_delete,
        "rows": zip(table, keys) if can_delete else [(row, None) for row in table]},
        status=400 if problem else 200)


@admin_required
@require_POST
def data_delete(request, kind):
    """Delete the record whose key the row's form sends; the import history keeps it
    (an entry of origin "delete", which can be undone from its page)."""
    kind = selectors.kind_or_404(kind)
    key = request.POST.get("key", "")
    names = {name for declared in kind.keys for name in declared.columns}
    values = {name[4:]: value for name, value in request.POST.items() if name[4:] in names and name[:4] == "key_"}
    try:
        record = services.delete_record(kind=kind.name, key=key, values=values, by=request.user)
    except Http404:
        messages.error(request, f"No {kind.label.lower()} record has the key {key}: it may be deleted already.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Deleted {kind.name} {key}. It can be undone from the import history "
                                  f"({reverse('import-detail', args=[record.pk])}).")
    query = request.POST.get("query", "")
    return redirect(reverse("data", args=[kind.name]) + (f"?{query}" if query else ""))


@member_required
def data_export(request, kind):
    kind = selectors.kind_or_404(kind)
    bar = filter_bar(request)
    lines = _export_lines(kind, bar, _filters(request))
    try:
        # The first line (the header) is read once the checks have run: a bad date, a
        # wrong filter or a kind that cannot follow is a 400 before anything streams.
        header = next(lines)
    except ValidationError as error:
        # Not every record instead: a file that looks filtered and is not misleads.
        return HttpResponseBadRequest(" ".join(error.messages), content_type="text/plain; charset=utf-8")
    response = StreamingHttpResponse(itertools.chain([header], lines), content_type="text/csv; charset=utf-8")
    name = f"{kind.name}{'-filtered' if bar.active else ''}-{timezone.localdate():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _export_lines(kind, bar, filters: dict) -> Iterator[str]:
    """The CSV's lines, read inside the segment's temp views (they live as long as the
    streaming does), chunk by chunk as without a filter."""
    if bar.error:
        raise ValidationError(bar.error)
    with selectors.segment_records(kind, bar.filter, **filters) as rows:
        yield from export.csv_lines(kind, rows.iterator(chunk_size=2000))
