"""The KPI page (``/kpis/<key>/``): the series chart (a range of months, its presets,
by month, quarter or year), the formula in words, the inputs behind the chosen month,
the catalog's breakdowns and the drill-down table of records with its CSV export.

With ``?filter=`` (the filter bar, metrics/segments/bar.py) every figure of the page
follows the segment: the value and its inputs, the chart, the breakdown, the records and
their CSV, computed on the fly (metrics/segments/selectors.py). A KPI or a breakdown that
cannot follow a customer filter says so instead of showing the whole company's figure.

Unfiltered, the page itself reads stored values only (a fixed handful of queries). Breakdowns and
records are computed from the business data on request, so htmx loads them into the
page after it is shown; without JavaScript their links open them as pages of their own.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal

from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from rest_framework.exceptions import ValidationError

from accounts.roles import member_required
from metrics.data.export import csv_table
from metrics.formatting import format_kpi, format_number, moment
from metrics.kpis import rollup, selectors
from metrics.kpis.drilldown import breakdowns, records
from metrics.kpis.explain import explain
from metrics.kpis.registry import Kpi
from metrics.kpis.window import (
    GRANULARITY_LABELS, Window, chart_range_from, day_from, presets, window_from,
)
from metrics.models import Goal, KpiValue
from metrics.months import Month, add_months, format_period
from metrics.segments import selectors as segments
from metrics.segments.bar import filter_bar, filter_query, kept_params, message, requested_filter
from metrics.segments.engine import CANNOT_FOLLOW
from metrics.segments.filters import EVERYONE, CustomerFilter

RECORDS_PER_PAGE = 50
EXPORT_CHUNK = 5000
# The page's own parameters the filter bar carries when a filter is applied or cleared.
KEPT_BY_THE_FILTER_BAR = ("month", "from", "to", "granularity", "yoy")


def tenant_format() -> dict:
    tenant = connection.tenant
    return {"currency": tenant.currency, "locale": tenant.locale}


@member_required
def kpi_page(request, key):
    kpi = selectors.kpi_or_404(key)
    window = window_from(request.GET, timezone=connection.tenant.timezone)
    bar = filter_bar(request)
    context = {"kpi": kpi, "window": window, "bar": bar, "cannot_follow": CANNOT_FOLLOW,
               "keep": kept_params(request, KEPT_BY_THE_FILTER_BAR),
               "filter_query": filter_query(bar.filter),
               "breakdown_choices": [(by, f"By {by}") for by in kpi.breakdowns],
               "movements": [(movement, records.label(movement)) for movement in kpi.movements],
               "goal": Goal.objects.filter(kpi=kpi.key, archived_at__isnull=True).order_by("deadline").first()}
    chart_range = chart_range_from(request.GET, window)
    context.update(chart_range=chart_range, granularities=GRANULARITY_LABELS.items(),
                   rollup_text=rollup.rule_text(kpi),
                   presets=presets(window, timezone=connection.tenant.timezone))
    if window.month is not None:
        context.update(month_figures(kpi, window.month, bar.filter))
        context["query"] = f"month={format_period(window.month)}{context['filter_query']}"
    if kpi.key == "mrr":
        context.update(mrr_on_day(request, bar.filter))
    error = window.error or chart_range.error or context.get("day_error") or bar.error
    return render(request, "metrics/kpis/page.html", context, status=400 if error else 200)


def mrr_on_day(request, customer_filter: CustomerFilter = EVERYONE) -> dict:
    """The MRR page's "MRR on a day" (``?date=YYYY-MM-DD``): the value when a day is
    asked, of the segment's customers under a filter."""
    text = request.GET.get("date") or ""
    if not text:
        return {"day_text": ""}
    day, error = day_from(text)
    if error:
        return {"day_text": text, "day_error": error}
    if customer_filter:
        return {"day_text": text, "mrr_on_day": segments.mrr_on(day, customer_filter)}
    return {"day_text": text, "mrr_on_day": selectors.mrr_on(day)}


def month_figures(kpi: Kpi, month: Month, customer_filter: CustomerFilter = EVERYONE) -> dict:
    """The chosen month's value, the change on the month before and the inputs in words;
    under a filter, the segment's (computed: one() and the two months' series at once)."""
    previous_month = add_months(month, -1)
    if customer_filter:
        one, two_months = segments.one_and_series(kpi, month, previous_month, month, customer_filter)
        value, previous_value = (None if number is None else Decimal(str(number))
                                 for number in (one["value"], two_months["points"][0]["value"]))
        change = value - previous_value if value is not None and previous_value is not None else None
        return {"value": value, "previous_value": previous_value, "change": change, "trend": kpi.trend(change),
                "reason": one["reason"] or "", "explanation": explain(kpi, one["inputs"], **tenant_format())}
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


def wrong_filter(error: str) -> HttpResponse:
    """A breakdown's, records' or CSV's wrong ``filter=`` (the page's links carry the
    page's, so typed into the URL by hand): a 400 that says why."""
    return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")


@member_required
def kpi_breakdown(request, key):
    """One breakdown of the month (by segment, country, plan, channel), as a fragment."""
    kpi = selectors.kpi_or_404(key)
    window = chosen_month(kpi, request)
    by = request.GET.get("by") or (kpi.breakdowns[0] if kpi.breakdowns else "")
    if by not in kpi.breakdowns:
        raise Http404(f"{kpi.name} has no breakdown by {by!r}.")
    customer_filter, error = requested_filter(request)
    if error:
        return wrong_filter(error)
    context = {"kpi": kpi, "window": window, "by": by, "filter_query": filter_query(customer_filter),
               "query": f"month={format_period(window.month)}{filter_query(customer_filter)}"}
    tenant = connection.tenant
    if customer_filter:
        try:
            rows = segments.breakdown(kpi, by, window.month, customer_filter)
        except ValidationError as exc:  # a breakdown of traffic or spend: no customers to follow
            return fragment(request, "metrics/kpis/_breakdown.html", {**context, "rows": [], "refused": message(exc)})
    else:
        rows = breakdowns.breakdown(kpi.key, by, window.month, currency=tenant.currency, timezone=tenant.timezone)
    largest = max((abs(row["value"]) for row in rows if row["value"] is not None), default=0)
    table = [{"group": row["group"], "value": format_kpi(row["value"], kpi.unit, **tenant_format()),
              "share": round(float(abs(row["value"]) / largest * 100), 1) if largest and row["value"] is not None else 0}
             for row in rows]
    return fragment(request, "metrics/kpis/_breakdown.html", {**context, "rows": table})



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
    """The drill-down: which records the month's value came from, 50 to a page (of the
    segment's customers under a filter)."""
    kpi = selectors.kpi_or_404(key)
    window = chosen_month(kpi, request)
    movement = chosen_movement(kpi, request)
    customer_filter, error = requested_filter(request)
    if error:
        return wrong_filter(error)
    context = {"kpi": kpi, "window": window, "movement": movement, "movement_label": records.label(movement),
               "filter_query": filter_query(customer_filter),
               "query": f"month={format_period(window.month)}&movement={movement}{filter_query(customer_filter)}"}
    try:
        with records_of(kpi, movement, window.month, customer_filter) as record_set:
            page = Paginator(record_set, RECORDS_PER_PAGE).get_page(request.GET.get("page"))
            rows = list(page.object_list)
    except ValidationError as exc:  # records without customers (traffic days, spend ...)
        return fragment(request, "metrics/kpis/_records.html", {**context, "table": [], "refused": message(exc)})
    locale = connection.tenant.locale
    # (heading, is a number) per column; numbers are right-aligned.
    headers = [(column.replace("_", " ").capitalize(), is_number(value)) for column, value in rows[0].items()] if rows else []
    table = [[(cell_text(value, locale), heading, numeric) for value, (heading, numeric) in zip(row.values(), headers)]
             for row in rows]
    return fragment(request, "metrics/kpis/_records.html", {**context, "page": page, "headers": headers, "table": table})


@contextmanager
def records_of(kpi: Kpi, movement: str, month: Month, customer_filter: CustomerFilter):
    """The records behind the value, readable inside the ``with``: the company's, or
    the segment's (whose views last as long as it); a ValidationError when they cannot
    follow the filter."""
    if customer_filter:
        with segments.segment_records(kpi, movement, month, customer_filter) as record_set:
            yield record_set
    else:
        yield selectors.records_behind(kpi, movement, month)


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
    """The records as CSV, streamed; under a filter the segment's, read inside its views
    while the file streams (a filter they cannot follow: a 400 before the first line)."""
    kpi = selectors.kpi_or_404(key)
    window = chosen_month(kpi, request)
    movement = chosen_movement(kpi, request)
    customer_filter, error = requested_filter(request)
    if error:
        return wrong_filter(error)
    if customer_filter:
        try:
            segments.check_records_follow(movement)
        except ValidationError as exc:
            return wrong_filter(message(exc))

    def lines():
        with records_of(kpi, movement, window.month, customer_filter) as record_set:
            yield from csv_lines(record_set)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    name = f"{kpi.key}-{movement}-{format_period(window.month)}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
