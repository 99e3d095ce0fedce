"""What the home dashboard shows: the headline row of the company's model, then one
card per KPI grouped by category, as each person arranged them (layout.py), read from
the stored KPI values in a fixed number of queries whatever the data size.

The month under way is partial: its cards say "partial, day N of M" and their change
against the whole month before is shown without the good/bad colour, since a month
that is a third gone always looks like a fall (docs/decisions.md, "Month to date")."""

from __future__ import annotations

import calendar
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.urls import reverse

from metrics.dashboard.charts import DASHBOARD_CHARTS
from metrics.dashboard.layout import HEADLINES, Headline, arrange
from metrics.dashboard.month_to_date import (LIKE_FOR_LIKE_KIND, comparison_kind, cut_off,
                                             previous_to_date)
from metrics.dashboard.ranges import MonthSpan, range_values
from metrics.kpis.rollup import rule_text
from metrics.dashboard.segment import SegmentValues, filter_digest, segment_previous_to_date
from metrics.formatting import json_number
from metrics.kpis import selectors
from metrics.kpis.benchmarks import ShownBenchmark, rates_for, shown_benchmark
from metrics.months import Month, add_months, month_range
from metrics.kpis.registry import Category, Kpi, tenant_kpis
from metrics.kpis.window import Window
from metrics.models import DashboardCard, Goal, KpiValue
from metrics.segments.engine import CANNOT_FOLLOW
from metrics.segments.filters import EVERYONE, CustomerFilter

SPARK_MONTHS = 12
# Where a KPI's numbers come from, for the card of a KPI without data: what to import,
# and the import kind the link opens.
SOURCE_BY_CATEGORY = {
    Category.REVENUE: ("subscriptions and invoices", "subscriptions"),
    Category.CUSTOMERS: ("customers and subscriptions", "customers"),
    Category.ACQUISITION: ("traffic, leads and marketing expenses", "traffic"),
    Category.SATISFACTION: ("survey answers", "survey_responses"),
    Category.SUPPORT: ("support tickets", "tickets"),
    Category.FINANCE: ("invoices, expenses and cash balance", "expenses"),
    Category.CUSTOM: ("metric values", "metric_values"),
}


@dataclass
class Card:
    kpi: Kpi
    value: float | int | None
    previous: float | int | None
    change: float | int | None
    reason: str | None
    spark: list[float | None]
    goal: Goal | None = None
    benchmark: ShownBenchmark | None = None
    partial: bool = False  # the month under way: its change is not news yet
    comparison: str = ""  # how a partial month is compared (month_to_date.py's kinds)
    summary: str = ""  # over a range of months: the KPI's roll-up rule in words (rollup.rule_text)
    pinned: bool = False  # in the headline row
    first: bool = False  # first of its row (no "move up")
    last: bool = False

    @property
    def trend(self) -> str:
        """good / bad / flat, or "partial" for the month under way (no alarm colour)."""
        return "partial" if self.partial else self.kpi.trend(self.change)

    @property
    def needs(self) -> str:
        return SOURCE_BY_CATEGORY.get(self.kpi.category, ("data", ""))[0]

    @property
    def import_kind(self) -> str:
        return SOURCE_BY_CATEGORY.get(self.kpi.category, ("data", ""))[1]

    @property
    def cannot_follow(self) -> bool:
        """Of a segment: the KPI is counted from data without customers."""
        return self.reason == CANNOT_FOLLOW

    @property
    def spark_data(self) -> str:
        return ",".join("" if v is None else f"{v:.4g}" for v in self.spark)


@dataclass
class Group:
    """A dashboard section: its charts (title, data URL), then its cards."""

    name: str
    cards: list[Card]
    charts: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Partial:
    """The month under way: day ``day`` of ``days`` in the company's time zone, compared
    with ``previous`` (its first days up to ``compared_until``, for like-for-like KPIs)."""

    day: int
    days: int
    previous: Month
    compared_until: date  # the last day of the previous month compared like for like


@dataclass
class Dashboard:
    month: Month | None
    groups: list[Group] = field(default_factory=list)
    headline: list[Card] = field(default_factory=list)
    headline_model: Headline | None = None
    hidden: list[Card] = field(default_factory=list)
    partial: Partial | None = None
    span: MonthSpan | None = None  # a range of months rather than one
    customer_filter: CustomerFilter = EVERYONE  # a segment's dashboard (segment.py)

    @property
    def has_data(self) -> bool:
        # A segment may have no value anywhere (nobody matches, before their first
        # month): still the company's dashboard, not the getting-started checklist.
        return any(card.value is not None for card in self.all_cards) or bool(self.customer_filter)

    @property
    def all_cards(self) -> list[Card]:
        return [*self.headline, *(card for group in self.groups for card in group.cards), *self.hidden]


def charts_by_category(segment: SegmentValues | None = None) -> dict[str, list[tuple[str, str]]]:
    """(title, data URL) of each section's charts; of a segment, a chart none of whose
    KPIs can follow a customer filter has no URL (the page says so instead)."""
    charts: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for chart in DASHBOARD_CHARTS:
        followed = segment is None or not all(segment.cannot_follow(plot.kpi) for plot in chart.plots)
        charts[chart.category.value].append((chart.title, reverse("chart", args=[chart.slug]) if followed else ""))
    charts[Category.ACQUISITION.value].append(
        ("Visitor conversion rate by channel", "" if segment else reverse("chart-conversion-by-channel")))
    return charts


def open_goals() -> list[Goal]:
    """What the cards show of the open goals (their link and status chip), no more."""
    return list(Goal.objects.filter(archived_at__isnull=True).order_by("deadline")
                .only("pk", "kpi", "status", "deadline"))


def cards_cache_key(window: Window, goals: list[Goal], *, locale: str, currency: str, layout: str = "default",
                    business_model: str = "", today: date | None = None,
                    customer_filter: CustomerFilter = EVERYONE) -> str:
    """What the rendered cards and month picker depend on: the month and range, the
    stored values' version (every recompute changes it), the month under way (marked
    "to date") and today (its "day N of M"), the goals shown on the cards, the number
    format, the company's business model, the person's layout and the customer filter
    (a segment's cards and links). The cache adds the tenant's schema to every key
    (django_tenants.cache)."""
    goal_states = hashlib.sha1(repr([(g.pk, g.kpi, g.status, g.deadline) for g in goals]).encode()).hexdigest()
    return (f"dashboard:{window.month}:{window.range}:{window.computed_at}:{window.month_under_way}:{today}:"
            f"{locale}:{currency}:{goal_states}:{business_model}:{layout}:{filter_digest(customer_filter)}")


def partial_month(month: Month, *, today: date) -> Partial | None:
    if (month.year, month.month) != (today.year, today.month):
        return None
    previous, end = cut_off(month, day=today.day)
    return Partial(day=today.day, days=calendar.monthrange(today.year, today.month)[1], previous=previous,
                   compared_until=end - timedelta(days=1))


def build_dashboard(window: Window, goals: list[Goal], *, headline: Headline | None = None,
                    choices: dict[str, DashboardCard] | None = None, currency: str = "USD",
                    locale: str = "en-US", timezone: str = "UTC", today: date | None = None,
                    span: MonthSpan | None = None, segment: SegmentValues | None = None) -> Dashboard:
    """The cards of ``window.month`` (compared with the month before, or like for like
    when it is the month under way), or of the months of ``span`` (compared with as
    many months before); of the whole company from the stored values, or of
    ``segment``'s customers from its values."""
    month = span.last if span else window.month
    if month is None:
        return Dashboard(month=None)
    headline = headline or Headline("subscription", suggested=False)
    choices = choices or {}
    partial = partial_month(month, today=today) if today else None
    kpis = tenant_kpis()
    first = add_months(month, -(SPARK_MONTHS - 1))
    values: dict[str, dict[Month, Decimal | None]] = defaultdict(dict)
    if segment is None:
        items = {item["key"]: item for item in selectors.month_list(kpis, month)}
        for key, when, value in KpiValue.objects.filter(month__gte=first, month__lte=month).values_list(
                "kpi", "month", "value"):
            values[key][when] = value
    else:
        items = segment_items(kpis, month, segment)
        for key, by_month in segment.values.items():
            values[key].update((when, value) for when, value in by_month.items() if first <= when <= month)
    goal_of = {}
    for goal in goals:
        goal_of.setdefault(goal.kpi, goal)
    spark_months = month_range(first, month)
    rates = rates_for(kpis, currency=currency, month=month)
    if not partial or span:
        to_date = {}
    elif segment is None:
        to_date = previous_month_to_date(window, kpis, month=month, day=partial.day, currency=currency,
                                         timezone=timezone)
    else:
        to_date = segment_previous_to_date(kpis, segment.customer_filter, month=month, day=partial.day,
                                           currency=currency, timezone=timezone)
    over_range = range_values(kpis, span, months=segment.months if segment else None) if span else {}
    by_category: dict[str, list[Card]] = defaultdict(list)
    for kpi in kpis:
        item = items[kpi.key]
        spark = [float(values[kpi.key][m]) if values[kpi.key].get(m) is not None else None
                 for m in spark_months]
        # A reason is worth showing only when the engine stored one for this month
        # ("no customers at the start of the month"); otherwise the card asks for data.
        reason = item["reason"] if month in values[kpi.key] else None
        if segment is not None and segment.cannot_follow(kpi.key):
            reason = CANNOT_FOLLOW  # in any month, a range's too: never "import data"
        previous, change = item["previous_value"], item["change"]
        comparison = comparison_kind(kpi) if partial and not span else ""
        summary = ""
        if span:
            value, previous = (json_number(v) for v in over_range[kpi.key])
            change = json_number(over_range[kpi.key][0] - over_range[kpi.key][1]) if (
                value is not None and previous is not None) else None
            item = {**item, "value": value}
            summary = rule_text(kpi)
        elif comparison == LIKE_FOR_LIKE_KIND:
            previous = json_number(to_date.get(kpi.key))
            change = json_number(Decimal(str(item["value"])) - to_date[kpi.key]) if (
                item["value"] is not None and previous is not None) else None
        by_category[kpi.category.value].append(Card(
            kpi=kpi, value=item["value"], previous=previous, change=change, comparison=comparison, summary=summary,
            reason=reason, spark=spark, goal=goal_of.get(kpi.key), partial=partial is not None,
            benchmark=shown_benchmark(kpi, currency=currency, locale=locale, rates=rates)))
    card_of = {card.kpi.key: card for cards in by_category.values() for card in cards}
    arrangement = arrange({category.value: [card.kpi.key for card in by_category[category.value]]
                           for category in Category if by_category.get(category.value)},
                          headline_keys=HEADLINES[headline.model], choices=choices)
    charts = charts_by_category(segment)
    groups = [Group(name, in_row(card_of, keys), charts.get(name, [])) for name, keys in arrangement.rows.items()]
    top = in_row(card_of, arrangement.headline)
    for card in top:
        card.pinned = True
    return Dashboard(month=month, groups=groups, headline=top, headline_model=headline,
                     hidden=[card_of[key] for key in arrangement.hidden], partial=partial, span=span,
                     customer_filter=segment.customer_filter if segment else EVERYONE)


def segment_items(kpis: list[Kpi], month: Month, segment: SegmentValues) -> dict[str, dict]:
    """kpis/selectors.month_list's items (value, previous month's, change, reason) from
    a segment's values."""
    previous_month = add_months(month, -1)
    items = {}
    for kpi in kpis:
        value, previous = segment.value(kpi.key, month), segment.value(kpi.key, previous_month)
        items[kpi.key] = {
            "value": json_number(value), "previous_value": json_number(previous),
            "change": json_number(value - previous) if value is not None and previous is not None else None,
            "reason": segment.reason(kpi.key, month) or None}
    return items


def previous_month_to_date(window: Window, kpis: list[Kpi], *, month: Month, day: int, currency: str,
                           timezone: str) -> dict[str, Decimal | None]:
    """month_to_date.previous_to_date, computed once per version of the stored values
    and day rather than once per person's layout: it reads the business data (the
    dated families' statements), the cards only the stored values."""
    key = f"dashboard:to-date:{window.computed_at}:{month}:{day}:{currency}:{timezone}"
    values = cache.get(key)
    if values is None:
        values = previous_to_date(kpis, month=month, day=day, currency=currency, timezone=timezone)
        cache.set(key, values, 24 * 3600)
    return values


def in_row(card_of: dict[str, Card], keys: list[str]) -> list[Card]:
    """The cards of one row in order, each knowing whether it can move up or down."""
    cards = [card_of[key] for key in keys]
    for index, card in enumerate(cards):
        card.first, card.last = index == 0, index == len(cards) - 1
    return cards
