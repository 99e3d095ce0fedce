"""The Cohorts page (``/cohorts/``): the heatmap of one metric, its column averages, its
CSV, and each cell's customers (``/cohorts/customers/``). Adapters over selectors.py;
``?metric=&by=&from=&to=`` are read by choices.py as the API reads them, ``filter=`` by
the shared filter bar (metrics/segments/bar.py), and every link between them (cells,
CSVs, back) carries the filter, so a drill-down is of the segment the heatmap showed."""

from __future__ import annotations

from decimal import Decimal

from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render

from accounts.roles import member_required
from metrics.cohorts import selectors
from metrics.cohorts.choices import BadChoice, Choice, choose, month_param
from metrics.data.export import csv_table
from metrics.formatting import format_kpi
from metrics.kpis.views import cell_text, csv_lines, is_number
from metrics.months import Month, add_months, months_between
from metrics.segments.bar import FilterBar, filter_bar, filter_query, kept_params

CUSTOMERS_PER_PAGE = 50
# How far a cell is from its reference (100 %, or the cohort's month-0 ARPU), as a share
# of it, for each shade of the heatmap: 1 (faint) to 5 (strong).
SHADES = (Decimal("0.02"), Decimal("0.1"), Decimal("0.25"), Decimal("0.5"), Decimal("0.75"))


def shade(value: Decimal | None, reference: Decimal | None) -> str:
    """The cell's class: ``heat-up-N`` above its reference, ``heat-down-N`` below (the
    direction), ``heat-0`` at it, ``heat-none`` without a figure. Retention above 100 %
    is growth (expansion beats churn); below, the cohort shrinks."""
    if value is None or not reference:
        return "heat-none"
    change = (value - reference) / reference
    level = sum(1 for step in SHADES if abs(change) >= step)
    if level == 0:
        return "heat-0"
    return f"heat-{'up' if change > 0 else 'down'}-{level}"


# The page's own GET parameters, kept by the filter bar's form and links.
CHOICE_PARAMS = ("metric", "by", "from", "to")
CELL_PARAMS = ("cohort", "month", "status")


def read_choice(request) -> tuple[Choice | None, dict[str, list[str]]]:
    try:
        return choose(request.GET, timezone=connection.tenant.timezone), {}
    except BadChoice as exc:
        return None, exc.errors


def load(choice: Choice, bar: FilterBar) -> selectors.Matrix:
    tenant = connection.tenant
    if choice.first is None:
        return selectors.Matrix(choice.by, None, None, ())
    return selectors.matrix(by=choice.by, first=choice.first, last=choice.last, currency=tenant.currency,
                            timezone=tenant.timezone, data_first=choice.data_first, customer_filter=bar.filter)


@member_required
def cohorts_page(request):
    choice, errors = read_choice(request)
    # A wrong filter is said in the bar and not applied (bar.py): the heatmap is the
    # whole company's, under the error, with a 400.
    bar = filter_bar(request)
    tenant = connection.tenant
    context = {"metrics": selectors.METRIC_LABELS, "bys": selectors.BY, "errors": errors,
               "params": request.GET, "choice": choice, "bar": bar, "keep": kept_params(request, CHOICE_PARAMS)}
    if choice is not None:
        matrix = load(choice, bar)
        unit = selectors.METRICS[choice.metric]

        def text(value):
            return format_kpi(value, unit, currency=tenant.currency, locale=tenant.locale)

        columns = selectors.columns(matrix)
        rows = []
        for cohort, values in zip(matrix.cohorts, matrix.values(choice.metric)):
            reference = Decimal(100) if unit == "percent" else values[0]
            rows.append({
                "month": cohort.month, "size": cohort.size,
                "start_mrr": format_kpi(cohort.start_mrr, "money", currency=tenant.currency, locale=tenant.locale),
                "cells": [{"k": k, "text": text(value), "shade": shade(value, reference),
                           "month": add_months(cohort.month, k),
                           "query": choice.query(cohort=f"{cohort.month:%Y-%m}",
                                                 month=f"{add_months(cohort.month, k):%Y-%m}")
                           + filter_query(bar.filter)}
                          for k, value in enumerate(values)],
                "blank": range(len(columns) - len(values))})
        averages = matrix.averages(choice.metric)
        context.update(matrix=matrix, rows=rows, columns=columns, unit=unit,
                       metric_label=selectors.METRIC_LABELS[choice.metric], by_label=selectors.BY[choice.by],
                       averages=[text(value) for value in averages], csv_query=choice.query() + filter_query(bar.filter))
    return render(request, "metrics/cohorts/page.html", context, status=400 if errors or bar.error else 200)


def matrix_lines(matrix: selectors.Matrix, metric: str):
    """The CSV: a row per cohort (its month, size, start MRR, values[k] as the API gives
    them) and the column averages last."""
    width = len(selectors.columns(matrix))
    header = ["cohort", "size", "start_mrr", *[f"month_{k}" for k in range(width)]]
    rows = [[f"{cohort.month:%Y-%m}", cohort.size, cohort.start_mrr.quantize(selectors.PLACES), *values]
            for cohort, values in zip(matrix.cohorts, matrix.values(metric))]
    if matrix.cohorts:
        rows.append(["average", sum(c.size for c in matrix.cohorts),
                     sum(c.start_mrr for c in matrix.cohorts).quantize(selectors.PLACES), *matrix.averages(metric)])
    return csv_table(header, rows)


def refused(request, errors: dict[str, list[str]], bar: FilterBar):
    """A CSV asked with wrong parameters: the Cohorts page's form saying why, a 400
    (never the whole company's figures under a filter that was not applied)."""
    return render(request, "metrics/cohorts/page.html",
                  {"metrics": selectors.METRIC_LABELS, "bys": selectors.BY, "errors": errors,
                   "params": request.GET, "bar": bar, "keep": kept_params(request, CHOICE_PARAMS)}, status=400)


@member_required
def cohorts_csv(request):
    choice, errors = read_choice(request)
    bar = filter_bar(request)
    if choice is None or bar.error:
        return refused(request, errors, bar)
    response = StreamingHttpResponse(matrix_lines(load(choice, bar), choice.metric),
                                     content_type="text/csv; charset=utf-8")
    span = f"{choice.first:%Y-%m}-{choice.last:%Y-%m}" if choice.first else "empty"
    segment = "-filtered" if bar.active else ""
    response["Content-Disposition"] = f'attachment; filename="cohorts-{choice.metric}-{choice.by}-{span}{segment}.csv"'
    return response


def cell_choice(request) -> tuple[Choice, Month, Month, str]:
    """A cell of the heatmap: its choice, cohort month, month and status; a cell that
    cannot be (a month before its cohort, an unknown status) is a 404 page."""
    choice, errors = read_choice(request)
    try:
        cohort = month_param(request.GET, "cohort")
        month = month_param(request.GET, "month")
    except BadChoice as exc:
        raise Http404(" ".join(exc.errors[next(iter(exc.errors))])) from exc
    status = request.GET.get("status") or "paying"
    if choice is None or cohort is None or month is None or month < cohort or status not in selectors.STATUSES:
        raise Http404("No such cell of the cohort matrix.")
    return choice, cohort, month, status


def cell_customers(choice: Choice, cohort: Month, month: Month, status: str, bar: FilterBar):
    tenant = connection.tenant
    return selectors.cell_customers(by=choice.by, cohort=cohort, month=month, status=status,
                                    currency=tenant.currency, timezone=tenant.timezone,
                                    data_first=choice.data_first, customer_filter=bar.filter)


@member_required
def cohort_customers(request):
    """One cell's customers, 50 to a page, still paying or not at the month's end; of
    the filter's segment. A wrong filter, as on the heatmap: the bar says why, it is not
    applied, a 400."""
    choice, cohort, month, status = cell_choice(request)
    bar = filter_bar(request)
    tenant = connection.tenant
    context = {"choice": choice, "cohort": cohort, "month": month, "k": months_between(cohort, month),
               "status": status, "status_label": selectors.STATUSES[status], "statuses": selectors.STATUSES,
               "by_label": selectors.BY[choice.by], "bar": bar,
               "keep": kept_params(request, (*CHOICE_PARAMS, *CELL_PARAMS)), "back_query": choice.query() + filter_query(bar.filter)}
    cell = choice.query(cohort=f"{cohort:%Y-%m}", month=f"{month:%Y-%m}") + filter_query(bar.filter)
    context.update(cell_query=cell, query=f"{cell}&status={status}")
    record_set = cell_customers(choice, cohort, month, status, bar)
    page = Paginator(record_set, CUSTOMERS_PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    headers = [(column.replace("_", " ").capitalize(), is_number(value)) for column, value in rows[0].items()] if rows else []
    table = [[(cell_text(value, tenant.locale), heading, numeric) for value, (heading, numeric) in zip(row.values(), headers)]
             for row in rows]
    context.update(page=page, headers=headers, table=table)
    return render(request, "metrics/cohorts/customers.html", context, status=400 if bar.error else 200)


@member_required
def cohort_customers_csv(request):
    choice, cohort, month, status = cell_choice(request)
    bar = filter_bar(request)
    if bar.error:
        return refused(request, {}, bar)
    response = StreamingHttpResponse(csv_lines(cell_customers(choice, cohort, month, status, bar)),
                                     content_type="text/csv; charset=utf-8")
    segment = "-filtered" if bar.active else ""
    response["Content-Disposition"] = (
        f'attachment; filename="cohort-{cohort:%Y-%m}-{month:%Y-%m}-{status}{segment}.csv"')
    return response
