"""A KPI's segments side by side (``/kpis/<key>/segments/``): the filter bar (two
filters, each typed or picked from the company's saved segments and values), the
latest month's value of each and their last twelve months as a chart (charts.py) over
a table, computed on the fly (engine.py)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db import connection
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from rest_framework.exceptions import ValidationError

from accounts.roles import member_required
from metrics.data.export import csv_table
from metrics.kpis import selectors as kpi_selectors
from metrics.months import format_period
from metrics.segments import selectors, services
from metrics.segments.bar import message
from metrics.segments.engine import CANNOT_FOLLOW
from metrics.segments.filters import ATTRIBUTES


def _compared(request, kpi) -> dict:
    """Both sides' filters, the latest month's value and the last months of each
    (selectors.side_by_side: the table, the CSV and the chart read the same), or the
    error of a wrong filter with the sides as typed."""
    try:
        return {**selectors.side_by_side(kpi, request.GET), "error": ""}
    except ValidationError as exc:
        sides = [{"param": param, "label": label, "text": request.GET.get(param, ""), "filter": None}
                 for param, label in selectors.SIDES]
        return {"month": kpi_selectors.default_period(connection.tenant.timezone), "months": [], "sides": sides,
                "rows": [], "error": message(exc)}


@member_required
def compare_segments(request, key):
    kpi = kpi_selectors.kpi_or_404(key)
    compared = _compared(request, kpi)
    suggestions = selectors.filter_suggestions()
    context = {"kpi": kpi, **compared, "saved": selectors.saved_segments(), "suggestions": suggestions.values,
               "attributes": [*ATTRIBUTES, *suggestions.extra_attributes], "cannot_follow": CANNOT_FOLLOW,
               # A line only for a side that can be drawn: a KPI that cannot follow a
               # side's filter gets a note in its place (and no chart when neither can).
               "drawn": [side for side in compared["sides"] if not side.get("cannot_follow")]}
    return render(request, "metrics/segments/compare.html", context, status=400 if context["error"] else 200)


@member_required
def compare_segments_csv(request, key):
    """The page's months as CSV: a row per month, a column per segment (the API's numbers)."""
    kpi = kpi_selectors.kpi_or_404(key)
    compared = _compared(request, kpi)
    if compared["error"]:
        return HttpResponse(compared["error"], status=400, content_type="text/plain; charset=utf-8")
    header = ["month", *(f"{side['label']}: {side['filter'].text if side['filter'] else 'every customer'}"
                         for side in compared["sides"])]
    rows = ([format_period(month), *values] for month, *values in compared["rows"])
    response = StreamingHttpResponse(csv_table(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kpi.key}-segments.csv"'
    return response


@member_required
@require_POST
def save_segment(request, key):
    kpi = kpi_selectors.kpi_or_404(key)
    back = reverse("kpi-segments", args=[kpi.key])
    try:
        segment = services.save_segment(name=request.POST.get("name", ""), filter_text=request.POST.get("filter", ""),
                                        user=request.user)
    except ValidationError as exc:
        return render(request, "metrics/segments/compare.html", {
            "kpi": kpi, "sides": [], "rows": [], "error": message(exc), "saved": selectors.saved_segments(),
            "suggestions": selectors.filter_suggestions().values, "attributes": ATTRIBUTES}, status=400)
    return redirect(f"{back}?{urlencode({'filter': segment.filter})}")


@member_required
@require_POST
def delete_segment(request, key, pk):
    kpi = kpi_selectors.kpi_or_404(key)
    services.delete_segment(pk=pk)
    return redirect(reverse("kpi-segments", args=[kpi.key]))
