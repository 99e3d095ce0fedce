"""What the home dashboard shows: one card per KPI, grouped by category, read from the
stored KPI values in a fixed number of queries whatever the data size."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.urls import reverse

from metrics.dashboard.charts import DASHBOARD_CHARTS
from metrics.kpis import selectors
from metrics.months import Month, add_months, month_range
from metrics.kpis.registry import Category, Kpi, tenant_kpis
from metrics.kpis.window import Window
from metrics.models import Goal, KpiValue

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

    @property
    def trend(self) -> str:
        return self.kpi.trend(self.change)

    @property
    def needs(self) -> str:
        return SOURCE_BY_CATEGORY.get(self.kpi.category, ("data", ""))[0]

    @property
    def import_kind(self) -> str:
        return SOURCE_BY_CATEGORY.get(self.kpi.category, ("data", ""))[1]

    @property
    def spark_data(self) -> str:
        return ",".join("" if v is None else f"{v:.4g}" for v in self.spark)


@dataclass
class Group:
    """A dashboard section: its charts (title, data URL), then its cards."""

    name: str
    cards: list[Card]
    charts: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Dashboard:
    month: Month | None
    groups: list[Group] = field(default_factory=list)

    @property
    def has_data(self) -> bool:
        return any(card.value is not None for group in self.groups for card in group.cards)


def charts_by_category() -> dict[str, list[tuple[str, str]]]:
    charts: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for chart in DASHBOARD_CHARTS:
        charts[chart.category.value].append((chart.title, reverse("chart", args=[chart.slug])))
    charts[Category.ACQUISITION.value].append(
        ("Visitor conversion rate by channel", reverse("chart-conversion-by-channel")))
    return charts


def open_goals() -> list[Goal]:
    """What the cards show of the open goals (their link and status chip), no more."""
    return list(Goal.objects.filter(archived_at__isnull=True).order_by("deadline")
                .only("pk", "kpi", "status", "deadline"))


def cards_cache_key(window: Window, goals: list[Goal], *, locale: str, currency: str) -> str:
    """What the rendered cards and month picker depend on: the month and range, the
    stored values' version (every recompute changes it), the month under way (marked
    "to date"), the goals shown on the cards, and the number format. The cache adds the
    tenant's schema to every key (django_tenants.cache)."""
    goal_states = hashlib.sha1(repr([(g.pk, g.kpi, g.status, g.deadline) for g in goals]).encode()).hexdigest()
    return (f"dashboard:{window.month}:{window.range}:{window.computed_at}:{window.month_under_way}:"
            f"{locale}:{currency}:{goal_states}")


def build_dashboard(window: Window, goals: list[Goal]) -> Dashboard:
    month = window.month
    if month is None:
        return Dashboard(month=None)
    kpis = tenant_kpis()
    items = {item["key"]: item for item in selectors.month_list(kpis, month)}
    first = add_months(month, -(SPARK_MONTHS - 1))
    values: dict[str, dict[Month, Decimal | None]] = defaultdict(dict)
    for key, when, value in KpiValue.objects.filter(month__gte=first, month__lte=month).values_list(
            "kpi", "month", "value"):
        values[key][when] = value
    goal_of = {}
    for goal in goals:
        goal_of.setdefault(goal.kpi, goal)
    spark_months = month_range(first, month)
    by_category: dict[str, list[Card]] = defaultdict(list)
    for kpi in kpis:
        item = items[kpi.key]
        spark = [float(values[kpi.key][m]) if values[kpi.key].get(m) is not None else None
                 for m in spark_months]
        # A reason is worth showing only when the engine stored one for this month
        # ("no customers at the start of the month"); otherwise the card asks for data.
        reason = item["reason"] if month in values[kpi.key] else None
        by_category[kpi.category.value].append(Card(
            kpi=kpi, value=item["value"], previous=item["previous_value"], change=item["change"],
            reason=reason, spark=spark, goal=goal_of.get(kpi.key)))
    charts = charts_by_category()
    groups = [Group(category.value, by_category[category.value], charts.get(category.value, []))
              for category in Category if by_category.get(category.value)]
    return Dashboard(month=month, groups=groups)
