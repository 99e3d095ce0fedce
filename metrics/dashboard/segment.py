"""The dashboard of a segment (issue 18, item 3): ``?filter=plan:pro,country:DE`` shows
every card, sparkline, chart and range of the customers the filter keeps, computed on
the fly by the segment engine (metrics/segments/engine.py), since filters are arbitrary
and nothing is stored per segment.

One ``segment_results`` computation gives every KPI's every month with data (value and
inputs); the cards, the charts (each its own request) and a range (its months rolled up
by metrics/kpis/rollup.py, as the filtered series API does) read that one computation,
which the segments' selectors keep in the cache per version of the stored values (every
recompute changes it) and per filter, so a filtered dashboard and its four charts
compute the segment once.

A KPI that cannot follow a customer filter (traffic, expenses, leads, surveys, custom
metrics) keeps the engine's reason, CANNOT_FOLLOW, and never the company's figure."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal


from metrics.dashboard.month_to_date import previous_to_date
from metrics.kpis.engine.figures import tables_with_rows
from metrics.kpis.registry import Kpi
from metrics.kpis.rollup import MonthValue
from metrics.months import Month
from metrics.segments import selectors as segment_selectors
from metrics.segments.engine import CANNOT_FOLLOW, UNFOLLOWED_FAMILIES, segment_tables
from metrics.segments.filters import CustomerFilter

def filter_digest(customer_filter: CustomerFilter) -> str:
    """The filter in a cache key: its canonical spelling, hashed (a filter may be 2,000
    characters long)."""
    return hashlib.sha1(customer_filter.text.encode()).hexdigest() if customer_filter else ""


@dataclass(frozen=True)
class SegmentValues:
    """A segment's value (or None), inputs and reason of every KPI in every month with data."""

    customer_filter: CustomerFilter
    values: dict[str, dict[Month, Decimal | None]]
    reasons: dict[str, dict[Month, str]]
    inputs: dict[str, dict[Month, dict]]

    def value(self, key: str, month: Month) -> Decimal | None:
        return self.values.get(key, {}).get(month)

    def reason(self, key: str, month: Month) -> str:
        return self.reasons.get(key, {}).get(month, "")

    def has(self, key: str, month: Month) -> bool:
        return month in self.values.get(key, {})

    def cannot_follow(self, key: str) -> bool:
        """The KPI's figures come from data without customers (in any month)."""
        return CANNOT_FOLLOW in self.reasons.get(key, {}).values()

    def months(self, key: str) -> dict[Month, MonthValue]:
        """The KPI's months as rollup.py reads them (segments' selectors.months_of's
        shape, from this one computation): a range's input (ranges.range_values)."""
        inputs = self.inputs.get(key, {})
        return {month: MonthValue(month, value, inputs.get(month, {}))
                for month, value in self.values.get(key, {}).items()}


def segment_values(customer_filter: CustomerFilter) -> SegmentValues:
    """The segment's values (segments' selectors compute them once per version of the
    stored values and filter)."""
    values: dict[str, dict[Month, Decimal | None]] = {}
    reasons: dict[str, dict[Month, str]] = {}
    inputs: dict[str, dict[Month, dict]] = {}
    for (kpi, month), result in (segment_selectors.all_results(customer_filter) or {}).items():
        values.setdefault(kpi, {})[month] = result.value
        inputs.setdefault(kpi, {})[month] = result.inputs or {}
        if result.reason:
            reasons.setdefault(kpi, {})[month] = result.reason
    return SegmentValues(customer_filter, values, reasons, inputs)


def segment_previous_to_date(kpis: Iterable[Kpi], customer_filter: CustomerFilter, *, month: Month, day: int,
                             currency: str, timezone: str) -> dict[str, Decimal | None]:
    """month_to_date.previous_to_date over the segment: the dated families' statements
    read the segment's tables (segment_tables), the families without customers are
    not run and their KPIs have no comparison."""
    present = tables_with_rows()  # the company's, read before the views hide them
    with segment_tables(customer_filter=customer_filter, currency=currency):
        return previous_to_date(list(kpis), month=month, day=day, currency=currency, timezone=timezone,
                                present=present, unfollowed={family: CANNOT_FOLLOW for family in UNFOLLOWED_FAMILIES})
