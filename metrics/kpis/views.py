"""The KPI page (``/kpis/<key>/``): the series chart (12 / 24 months / all), the
formula in words, the inputs behind the chosen month, the catalog's breakdowns and the
drill-down table of records with its CSV export.

The page itself reads stored values only (a fixed handful of queries). Breakdowns and
records are computed from the business data on request, so htmx loads them into the
page after it is shown; without JavaScript their links open them as pages of their own.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render

from accounts.roles import member_required
from metrics.data.export import csv_table
from metrics.formatting import format_kpi, format_number, moment
from metrics.kpis import rollup, selectors
from metrics.kpis.drilldown import breakdowns, records
from metrics.kpis.explain import explain
from metrics.kpis.registry import Kpi
from metrics.kpis.window import (
    GRANULARITY_LABELS, RANGES, Window, chart_range_from, day_from, presets, window_from,
)
from metrics.models import Goal, KpiValue
from metrics.months import Month, add_months, format_period

RECORDS_PER_PAGE = 50
EXPORT_CHUNK = 5000


def tenant_format() -> dict:
    tenant = connection.tenant
    return {"currency": tenant.currency, "locale": tenant.locale}


@member_required
def kpi_page(request, key):
    kpi = selectors.kpi_or_404(key)
    window = window_from(request.GET, timezone=connection.tenant.timezone)
    context = {"kpi": kpi, "window": window, "ranges": list(RANGES),
               "breakdown_choices": [(by, f"By {by}") for by in kpi.breakdowns],
               "movements": [(movement, records.label(movement)) for movement in kpi.movements],
               "goal": Goal.objects.filter(kpi=kpi.key, archived_at__isnull=True).order_by("deadline").first()}
    chart_range = chart_range_from(request.GET, window)
    context.update(chart_range=chart_range, granularities=GRANULARITY_LABELS.items(),
                   rollup_text=rollup.rule_of(kpi).text or rollup.SUMMED.text,
                   presets=presets(window, timezone=connection.tenant.timezone))
    if window.month is not None:
        context.update(month_figures(kpi, window.month))
        context["query"] = f"month={format_period(window.month)}"
    if kpi.key == "mrr":
        context.update(mrr_on_day(request))
    error = window.error or chart_range.error or context.get("day_error")
    return render(request, "metrics/kpis/page.html", context, status=400 if error else 200)


def mrr_on_day(request) -> dict:
    """The MRR page's "MRR on a day" (``?date=YYYY-MM-DD``): the value when a day is asked."""
    text = request.GET.get("date") or ""
    if not text:
        return {"day_text": ""}
    day, error = day_from(text)
    if error:
        return {"day_text": text, "day_error": error}
    return {"day_text": text, "mrr_on_day": selectors.mrr_on(day)}


def month_figures(kpi: Kpi, month: Month) -> dict:
    """The chosen month's value, the change on the month before and the inputs in words."""
    previous_month = add_months(month, -1)
    stored = {v.month: v for v in KpiValue.objects.filter(kpi=kpi.key, month__in=[month, previous_month])}
    current, previous = stored.get(month), stored.get(previous_month)
    value = current.value if current else None
    previous_value = previous.value if previous else None
    change = value - previous_value if value is not None and previous_value is not None else None
    return {"value": value, "previous_value": previous_value, "change": change, "trend": kpi.trend(change),
            "reason": current.reason if current else "",
            "explanation": explain(kpi, current.inputs if current else {}, **tenant_format())}


def fragment(request, template: str, context: dict):
    """The fragment alone for htmx, or inside a page of its own for a plain link."""
    if request.htmx:
        return render(request, template, context)
    return render(request, "metrics/kpis/fragment_page.html", {**context, "fragment": template})


def chosen_month(kpi: Kpi, request) -> Window:
    window = window_from(request.GET, timezone=connection.tenant.timezone)
    if window.error:
        raise Http404(window.error)
    if window.month is None:
        raise Http404("No KPIs computed yet.")
    return window


@member_required
def kpi_breakdown(request, key):
    """One breakdown of the month (by segment, country, plan, channel), as a fragment."""
    kpi = selectors.kpi_or_404(key)
    window = chosen_month(kpi, request)
    by = request.GET.get("by") or (kpi.breakdowns[0] if kpi.breakdowns else "")
    if by not in kpi.breakdowns:
        raise Http404(f"{kpi.name} has no breakdown by {by!r}.")
    tenant = connection.tenant
    rows = breakdowns.breakdown(kpi.key, by, window.month, currency=tenant.currency, timezone=tenant.timezone)
    largest = max((abs(row["value"]) for row in rows if row["value"] is not None), default=0)
    table = [{"group": row["group"], "value": format_kpi(row["value"], kpi.unit, **tenant_format()),
              "share": round(float(abs(row["value"]) / largest * 100), 1) if largest and row["value"] is not None else 0}
             for row in rows]
    return fragment(request, "metrics/kpis/_breakdown.html", {
        "kpi": kpi, "window": window, "by": by, "rows": table, "query": f"month={format_period(window.month)}"})


def chosen_movement(kpi: Kpi, request) -> str:
    movement = request.GET.get("movement") or (kpi.movements[0] if kpi.movements else "")
    if movement not in kpi.movements:
        raise Http404(f"{kpi.name} has no records for {movement!r}.")
    return movement


def cell_text(value, locale: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return moment(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal | float):
        return format_number(value, decimals=2, locale=locale)
    if isinstance(value, int):
        return format_number(value, decimals=0, locale=locale)
    return str(value)


@member_required
def kpi_records(request, key):
    """The drill-down: which records the month's value came from, 50 to a page."""
    kpi = selectors.kpi_or_404(key)
    window = chosen_month(kpi, request)
    movement = chosen_movement(kpi, request)
    page = Paginator(selectors.records_behind(kpi, movement, window.month), RECORDS_PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    locale = connection.tenant.locale
    # (heading, is a number) per column; numbers are right-aligned.
    headers = [(column.replace("_", " ").capitalize(), is_number(value)) for column, value in rows[0].items()] if rows else []
    table = [[(cell_text(value, locale), heading, numeric) for value, (heading, numeric) in zip(row.values(), headers)]
             for row in rows]
    return fragment(request, "metrics/kpis/_records.html", {
        "kpi": kpi, "window": window, "movement": movement, "movement_label": records.label(movement),
        "page": page, "headers": headers, "table": table,
        "query": f"month={format_period(window.month)}&movement={movement}"})


def is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def csv_lines(record_set: records.RecordSet):
    """Header then rows, read EXPORT_CHUNK at a time: memory flat whatever the month."""
    def rows():
        start = 0
        while True:
            chunk = record_set[start:start + EXPORT_CHUNK]
            yield from ([row[column] for column in header] for row in chunk)
            if len(chunk) < EXPORT_CHUNK:
                return
            start += EXPORT_CHUNK

    first = record_set[0:1]
    header = list(first[0]) if first else []
    return csv_table(header, rows())


@member_required
def kpi_records_csv(request, key):
    kpi = selectors.kpi_or_404(key)
    window = chosen_month(kpi, request)
    movement = chosen_movement(kpi, request)
    response = StreamingHttpResponse(csv_lines(selectors.records_behind(kpi, movement, window.month)),
                                     content_type="text/csv; charset=utf-8")
    name = f"{kpi.key}-{movement}-{format_period(window.month)}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
