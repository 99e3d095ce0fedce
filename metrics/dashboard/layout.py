"""Which cards lead the dashboard and in what order (issue 17, item 4), pure: the
headline row of the few KPIs that matter for the company's business model, then the
groups; each person's pins, hidden cards and order (``DashboardCard``) on top.

The model is chosen at sign-up and in the settings (``Tenant.business_model``, whose
default is "subscription"). A company left on that default with no subscriptions but
with invoices sells something else, so its headline suggests the e-commerce set and
says so until the model is set (docs/decisions.md, "The dashboard's headline")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

HEADLINES: dict[str, tuple[str, ...]] = {
    "subscription": ("mrr", "net_new_mrr", "customers", "customer_churn_rate", "nps"),
    "ecommerce": ("revenue", "orders", "aov", "new_customers", "visitor_conversion_rate"),
    "services": ("revenue", "revenue_growth_rate", "gross_margin", "new_customers", "csat"),
}
DEFAULT_MODEL = "subscription"


class Choice(Protocol):
    kpi: str
    pinned: bool | None
    hidden: bool
    position: int | None


@dataclass(frozen=True)
class Headline:
    model: str  # the business model whose KPIs lead
    suggested: bool  # True: read from the data, not chosen


def headline_model(*, chosen: str, has_subscriptions: bool, has_invoices: bool) -> Headline:
    if chosen == DEFAULT_MODEL and not has_subscriptions and has_invoices:
        return Headline("ecommerce", suggested=True)
    return Headline(chosen if chosen in HEADLINES else DEFAULT_MODEL, suggested=False)


@dataclass
class Arrangement:
    headline: list[str]  # KPI keys, in order
    rows: dict[str, list[str]]  # the other visible cards per group, in order
    hidden: list[str]


def arrange(groups: dict[str, list[str]], *, headline_keys: tuple[str, ...],
            choices: dict[str, Choice]) -> Arrangement:
    """The cards' places: ``groups`` holds every KPI key per group in catalog order.
    A card is in the headline when the person pinned it, or when it is one of the
    model's headline KPIs and they have not taken it off; hidden cards are nowhere but
    in the list of hidden ones. Within a row, cards the person placed come in their
    order, the others after them in the default order."""
    headline, hidden = [], []
    rows: dict[str, list[str]] = {}
    catalog = [key for keys in groups.values() for key in keys]
    for group, keys in groups.items():
        rows[group] = []
        for key in keys:
            choice = choices.get(key)
            if choice is not None and choice.hidden:
                hidden.append(key)
            elif (choice.pinned if choice is not None and choice.pinned is not None else key in headline_keys):
                headline.append(key)
            else:
                rows[group].append(key)
    default_headline = {key: index for index, key in enumerate(headline_keys)}
    headline.sort(key=lambda key: (placed(choices.get(key)),
                                   default_headline.get(key, len(headline_keys) + catalog.index(key))))
    for keys in rows.values():
        keys.sort(key=lambda key: (placed(choices.get(key)), catalog.index(key)))
    return Arrangement(headline=headline, rows=rows, hidden=hidden)


def placed(choice: Choice | None) -> int:
    """Cards the person placed first, by their place; the rest keep the default order."""
    if choice is None or choice.position is None:
        return 1 << 30
    return choice.position


def moved(order: list[str], key: str, step: int) -> list[str]:
    """``order`` with ``key`` one place earlier (step -1) or later (+1); at an end, as is."""
    if key not in order:
        return order
    at = order.index(key)
    to = at + step
    if not 0 <= to < len(order):
        return order
    result = list(order)
    result[at], result[to] = result[to], result[at]
    return result
