"""A KPI's segments side by side (``/kpis/<key>/segments/``): the filter bar (two
filters, each typed or picked from the company's saved segments), the chosen month's
value of each and their last twelve months, computed on the fly (engine.py)."""

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
from metrics.months import add_months, format_period, month_range
from metrics.segments import selectors, services
from metrics.segments.bar import message
from metrics.segments.engine import CANNOT_FOLLOW
from metrics.segments.filters import ATTRIBUTES, EVERYONE

SIDES = (("filter", "A"), ("compare", "B"))
MONTHS_SHOWN = 12


def _compared(request, kpi) -> dict:
    """Both sides' filters, the latest month's value and the last months of each (or
    the error of a wrong filter): what the page and its CSV show."""
    month = kpi_selectors.default_period(connection.tenant.timezone)
    sides, error = [], ""
    for param, label in SIDES:
        text = request.GET.get(param, "")
        try:
            parsed = selectors.customer_filter(text)
        except ValidationError as exc:
            error, parsed = message(exc), None
        sides.append({"param": param, "label": label, "text": text, "filter": parsed})
    months = month_range(add_months(month, -(MONTHS_SHOWN - 1)), month) if month else []
    if month and not error:
        for side in sides:
            chosen = side["filter"] or EVERYONE
            if chosen:
                side["one"], series = selectors.one_and_series(kpi, month, months[0], months[-1], chosen)
                side["points"] = series["points"]
            else:
                side["one"] = kpi_selectors.one(kpi, month)
                side["points"] = kpi_selectors.series(kpi, months[0], months[-1])["points"]
    rows = [(point, *(side["points"][index]["value"] for side in sides))
            for index, point in enumerate(months)] if month and not error else []
    return {"month": month, "sides": sides, "error": error, "rows": rows}


@member_required
def compare_segments(request, key):
    kpi = kpi_selectors.kpi_or_404(key)
    context = {"kpi": kpi, **_compared(request, kpi), "saved": selectors.saved_segments(),
               "attributes": [*ATTRIBUTES, *selectors.extra_attributes()], "cannot_follow": CANNOT_FOLLOW}
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
            "attributes": ATTRIBUTES}, status=400)
    return redirect(f"{back}?{urlencode({'filter': segment.filter})}")


@member_required
@require_POST
def delete_segment(request, key, pk):
    kpi = kpi_selectors.kpi_or_404(key)
    services.delete_segment(pk=pk)
    return redirect(reverse("kpi-segments", args=[kpi.key]))
