"""Reads of a segment's KPI values for the API and the pages: the same shapes as
metrics/kpis/selectors.py answers unfiltered, computed on the fly (engine.py) over the
months the stored values cover, so a segment's months line up with the whole company's."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection
from rest_framework.exceptions import ValidationError

from metrics.formatting import json_number
from metrics.kpis import kept, rollup, selectors as kpi_selectors
from metrics.kpis.drilldown import breakdowns, records
from metrics.kpis.evaluate import Result
from metrics.kpis.registry import Kpi, tenant_kpis
from metrics.models import Customer, SavedSegment, Subscription
from metrics.months import Month, add_months, format_period, month_range
from metrics.segments.engine import CANNOT_FOLLOW, segment_results, segment_tables
from metrics.segments.filters import ATTRIBUTES, CustomerFilter, parse_filter

# Breakdown families (drilldown/breakdowns.py) over customers' tables.
FOLLOWING_BREAKDOWNS = ("customers",)


def extra_attributes() -> list[str]:
    """The extra customer columns the company's imports kept, by name."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT jsonb_object_keys(attributes) FROM {Customer._meta.db_table} "
                       "WHERE attributes <> '{}'::jsonb ORDER BY 1")
        return [row[0] for row in cursor.fetchall()]


def customer_filter(text: str | None) -> CustomerFilter:
    """The filter a request's ``filter=`` spells (a 400 when it is wrong)."""
    if text is None or not text.strip():
        return parse_filter(None)
    return parse_filter(text, extra_attributes=extra_attributes())


def saved_segments() -> list[SavedSegment]:
    return list(SavedSegment.objects.all())


def _results(customer_filter: CustomerFilter, *, kpis: list[Kpi]) -> dict[tuple[str, Month], Result] | None:
    """Every month's values of ``kpis`` for the segment, or None before any data."""
    covered = kpi_selectors.coverage()
    if not covered or not covered.first_month:
        return None
    tenant = connection.tenant
    # Computed once per recompute and filter: a page, its chart and the API asking for
    # the same segment share one computation.
    results = kept.until_next_recompute(
        "segment", (covered.first_month, covered.last_month, tenant.currency, tenant.timezone, customer_filter.text),
        lambda: segment_results(customer_filter=customer_filter, kpis=tenant_kpis(), first=covered.first_month,
                                last=covered.last_month, currency=tenant.currency, timezone=tenant.timezone),
        version=covered.computed_at)
    wanted = {kpi.key for kpi in kpis}
    return {(r.kpi, r.month): r for r in results if r.kpi in wanted}


def one(kpi: Kpi, month: Month, customer_filter: CustomerFilter) -> dict[str, Any]:
    return _one(kpi, month, _results(customer_filter, kpis=[kpi]))


def series(kpi: Kpi, first: Month, last: Month, customer_filter: CustomerFilter) -> dict[str, Any]:
    return _series(kpi, first, last, _results(customer_filter, kpis=[kpi]))


def one_and_series(kpi: Kpi, month: Month, first: Month, last: Month,
                   customer_filter: CustomerFilter) -> tuple[dict[str, Any], dict[str, Any]]:
    """one() and series() from one computation (a page shows both)."""
    results = _results(customer_filter, kpis=[kpi])
    return _one(kpi, month, results), _series(kpi, first, last, results)


def _one(kpi: Kpi, month: Month, results: dict[tuple[str, Month], Result] | None) -> dict[str, Any]:
    result = results.get((kpi.key, month)) if results is not None else None
    return {"key": kpi.key, "period": format_period(month),
            "value": json_number(result.value) if result else None, "unit": kpi.unit,
            "inputs": result.inputs if result else {},
            "reason": (result.reason if result else kpi_selectors.absent_reason(month)) or None}


def _series(kpi: Kpi, first: Month, last: Month,
            results: dict[tuple[str, Month], Result] | None) -> dict[str, Any]:
    results = results or {}
    points = []
    for month in month_range(first, last):
        result = results.get((kpi.key, month))
        points.append({"period": format_period(month), "value": json_number(result.value) if result else None})
    return {"key": kpi.key, "unit": kpi.unit, "points": points}


def month_list(kpis: list[Kpi], month: Month, customer_filter: CustomerFilter) -> list[dict[str, Any]]:
    """The month's list (kpis/selectors.month_list's shape) for the segment."""
    results = _results(customer_filter, kpis=kpis) or {}
    missing = kpi_selectors.absent_reason(month)
    previous_month = add_months(month, -1)
    items = []
    for kpi in kpis:
        current, previous = results.get((kpi.key, month)), results.get((kpi.key, previous_month))
        value = current.value if current else None
        previous_value = previous.value if previous else None
        items.append({
            "key": kpi.key, "name": kpi.name, "category": kpi.category.value, "unit": kpi.unit,
            "direction": kpi.direction.value, "value": json_number(value),
            "previous_value": json_number(previous_value),
            "change": json_number(value - previous_value) if value is not None and previous_value is not None else None,
            "benchmark": kpi.benchmark.as_dict() if kpi.benchmark else None,
            "reason": (current.reason if current else missing) or None,
        })
    return items


def breakdown(kpi: Kpi, by: str, month: Month, customer_filter: CustomerFilter) -> list[dict[str, Any]]:
    """The KPI's breakdown (drilldown/breakdowns.py) over the segment's customers; a
    breakdown of traffic or spend has no customers to follow: a 400 saying so."""
    if kpi.breakdown.family not in FOLLOWING_BREAKDOWNS:
        raise ValidationError({"filter": [f"The breakdown of {kpi.key} {CANNOT_FOLLOW}."]})
    tenant = connection.tenant
    with segment_tables(customer_filter=customer_filter, currency=tenant.currency):
        return breakdowns.breakdown(kpi.key, by, month, currency=tenant.currency, timezone=tenant.timezone)


# The drill-down's statements over customers' tables only (drilldown/records.py).
FOLLOWING_RECORDS = ("records_customers", "records_subscriptions_started", "records_subscriptions_starting_later",
                     "records_subscriptions_ending", "records_paid_invoices", "records_orders",
                     "records_first_paid_invoices", "records_tickets_opened", "records_tickets_answered",
                     "records_tickets_resolved")


def records_page(kpi: Kpi, movement: str, month: Month, customer_filter: CustomerFilter,
                 paginate: Callable[[records.RecordSet], list]) -> list:
    """The page ``paginate`` takes of the records behind the value, of the segment's
    customers only; records without customers (traffic, spend, leads, answers, metric
    values) cannot follow: a 400 saying so."""
    with segment_records(kpi, movement, month, customer_filter) as record_set:
        return paginate(record_set)


def all_results(customer_filter: CustomerFilter) -> dict[tuple[str, Month], Result] | None:
    """Every KPI's values for every month with data over the segment, from one
    computation (the dashboard shows them all at once), or None before any data."""
    return _results(customer_filter, kpis=tenant_kpis())


def months_of(kpi: Kpi, customer_filter: CustomerFilter) -> dict[Month, rollup.MonthValue]:
    """The segment's months of one KPI (value and inputs), as rollup.py reads stored ones."""
    results = _results(customer_filter, kpis=[kpi]) or {}
    return {month: rollup.MonthValue(month, result.value, result.inputs or {})
            for (_, month), result in results.items()}


def rolled_series(kpi: Kpi, first: Month, last: Month, granularity: str,
                  customer_filter: CustomerFilter) -> dict[str, Any]:
    """The series API's shape (kpis/selectors.series) for the segment: by month as
    series() answers, by quarter or year its months rolled up by the KPI's rule with
    the same code as the stored months (kpis/selectors.roll_periods)."""
    if granularity == "month":
        return series(kpi, first, last, customer_filter)
    periods = kpi_selectors.roll_periods(kpi, months_of(kpi, customer_filter), first, last, granularity)
    return {"key": kpi.key, "unit": kpi.unit,
            "points": [{"period": label, "value": json_number(value), "partial": partial}
                       for label, value, partial in periods]}


def check_records_follow(movement: str) -> None:
    """A 400 when the records of ``movement`` have no customers to follow a filter
    (traffic, spend, leads, answers, metric values)."""
    declared = records.MOVEMENTS[movement]
    if {declared.statement, declared.without_subscriptions or declared.statement} - set(FOLLOWING_RECORDS):
        raise ValidationError({"filter": [f"The {declared.label.lower()} records {CANNOT_FOLLOW}."]})


@contextmanager
def segment_records(kpi: Kpi, movement: str, month: Month,
                    customer_filter: CustomerFilter) -> Iterator[records.RecordSet]:
    """The records behind the value of the segment's customers, to read inside the
    ``with`` (a CSV streams them chunk by chunk there; the views live as long as it)."""
    check_records_follow(movement)
    record_set = kpi_selectors.records_behind(kpi, movement, month)  # reads the company's tables
    with segment_tables(customer_filter=customer_filter, currency=connection.tenant.currency):
        yield record_set


def mrr_on(day, customer_filter: CustomerFilter) -> dict[str, Any]:
    """MRR at the end of ``day`` (kpis/selectors.mrr_on) of the segment's customers. As
    for a month's MRR, a segment without subscriptions has an MRR of 0 when the company
    has some (which tables have rows is read before the views hide them)."""
    if not Subscription.objects.exists():
        return kpi_selectors.mrr_on(day)
    with segment_tables(customer_filter=customer_filter, currency=connection.tenant.currency):
        answer = kpi_selectors.mrr_on(day)
    if answer["value"] is None:  # the views hid every subscription
        answer = {**answer, "value": 0, "customers": 0, "reason": None}
    return answer


# The segments page (/kpis/<key>/segments/): its two sides, by query parameter and
# label, and how many months it shows; its table, CSV and chart all read side_by_side.
SIDES = (("filter", "A"), ("compare", "B"))
MONTHS_COMPARED = 12


def side_by_side(kpi: Kpi, texts: Mapping[str, str]) -> dict[str, Any]:
    """Both sides' filters (``texts``: a query's ``filter`` and ``compare``), each one's
    value in the latest month with data and its last MONTHS_COMPARED months, from the
    one cached computation per filter (_results). A wrong filter raises the 400."""
    filters = [customer_filter(texts.get(param, "")) for param, _ in SIDES]
    month = kpi_selectors.default_period(connection.tenant.timezone)
    months = month_range(add_months(month, -(MONTHS_COMPARED - 1)), month) if month else []
    sides = []
    for (param, label), chosen in zip(SIDES, filters):
        side = {"param": param, "label": label, "text": texts.get(param, ""), "filter": chosen,
                "cannot_follow": False}
        if month and chosen:
            side["one"], compared = one_and_series(kpi, month, months[0], months[-1], chosen)
            side["points"] = compared["points"]
            side["cannot_follow"] = side["one"]["reason"] == CANNOT_FOLLOW
        elif month:
            side["one"] = kpi_selectors.one(kpi, month)
            side["points"] = kpi_selectors.series(kpi, months[0], months[-1])["points"]
        sides.append(side)
    rows = [(point, *(side["points"][index]["value"] for side in sides)) for index, point in enumerate(months)]
    return {"month": month, "months": months, "sides": sides, "rows": rows}


# The filter bar's suggestions: per attribute, the values most customers (or
# subscriptions) have, at most this many.
SUGGESTED_VALUES = 50
# One statement, one scan per table: GROUPING SETS counts each column's values in the
# same pass, row_number() keeps the commonest. An empty currency is the reporting
# currency (the import's rule, and the filter's: engine.py).
SUGGESTIONS_SQL = """
SELECT attribute, value FROM (
  SELECT attribute, value, row_number() OVER (PARTITION BY attribute ORDER BY n DESC, value) AS rank
  FROM (
    SELECT CASE WHEN grouping(channel) = 0 THEN 'channel' WHEN grouping(country) = 0 THEN 'country'
                ELSE 'segment' END AS attribute,
           CASE WHEN grouping(channel) = 0 THEN channel WHEN grouping(country) = 0 THEN country
                ELSE segment END AS value, count(*) AS n
    FROM {customers} GROUP BY GROUPING SETS ((channel), (country), (segment))
    UNION ALL
    SELECT CASE WHEN grouping(plan) = 0 THEN 'plan' WHEN grouping("interval") = 0 THEN 'interval'
                ELSE 'currency' END,
           CASE WHEN grouping(plan) = 0 THEN plan WHEN grouping("interval") = 0 THEN "interval"
                ELSE coalesce(nullif(currency, ''), %(currency)s) END, count(*)
    FROM {subscriptions} GROUP BY GROUPING SETS ((plan), ("interval"), (coalesce(nullif(currency, ''), %(currency)s)))
  ) counted
  -- A value the filter syntax cannot spell (a separator in it, or blanks around it
  -- that parsing strips) is no suggestion.
  WHERE value <> '' AND value = btrim(value) AND strpos(value, ',') = 0 AND strpos(value, '|') = 0
) ranked
WHERE rank <= %(most)s
"""


@dataclass(frozen=True)
class Suggestions:
    """What the filter bar offers: the extra attributes it may name and the
    ``(attribute, value)`` pairs of filter_suggestions."""

    extra_attributes: list[str]
    values: list[tuple[str, str]]


def filter_suggestions() -> Suggestions:
    """The extra attributes (extra_attributes()) and the values present for plan,
    channel, country, segment, currency and interval in the company's customers and
    subscriptions (the commonest SUGGESTED_VALUES of each), in ATTRIBUTES' order and
    then alphabetically. Kept in the cache per version of the stored values, as a
    segment's figures are (every change of the data ends in a recompute), so a page
    whose bar hits the cache reads the version instead of the extra attributes: no
    more queries than a bar without suggestions. Not kept before the first recompute."""
    covered = kpi_selectors.coverage()
    tenant = connection.tenant

    def read() -> Suggestions:
        statement = SUGGESTIONS_SQL.format(customers=Customer._meta.db_table,
                                           subscriptions=Subscription._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(statement, {"currency": tenant.currency, "most": SUGGESTED_VALUES})
            order = {attribute: index for index, attribute in enumerate(ATTRIBUTES)}
            values = sorted(((attribute, value) for attribute, value in cursor.fetchall()),
                            key=lambda pair: (order[pair[0]], pair[1].casefold(), pair[1]))
        return Suggestions(extra_attributes(), values)

    suggestions = kept.until_next_recompute("filter-suggestions", (tenant.currency,), read,
                                            version=covered.computed_at if covered else None)
    return suggestions
