"""The catalog's breakdowns, computed on request for one month (kpi-catalog.md,
"Breakdowns"): traffic KPIs by traffic channel; new customers, CAC and marketing spend
by acquisition channel; MRR, customers, ARPU and churn rate by customer segment,
country and subscription plan.

The registry declares each KPI's breakdown (``Breakdown``): which family of groups it
reads and which of the groups' figures is its value. A family here computes every
figure of its groups from the statements of ``sql/breakdown_*.sql``; a group shows for
a KPI when its figure was counted for it (a channel with spend but no new customers has
a marketing spend and a CAC, no new customers).

By plan, a customer on two plans counts under both, and a customer's churn counts
under the plans they had at the end of the previous month; MRR by plan adds up to MRR.
Rows without a value for the dimension are grouped under "(none)".
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from metrics.kpis.drilldown.statements import fetch
from metrics.kpis.engine.figures import Scope
from metrics.kpis.formulas import HUNDRED, TWELVE
from metrics.kpis.registry import BY_KEY
from metrics.months import Month, add_months, end_of

NONE_GROUP = "(none)"
# A group and its figures, by name.
Groups = list[tuple[str, dict[str, Any]]]


def breakdown(key: str, by: str, month: Month, *, currency: str, timezone: str) -> list[dict[str, Any]]:
    """[{group, value}] for a KPI and dimension the registry lists for it."""
    declared = BY_KEY[key].breakdown
    groups = FAMILIES[declared.family](by, Scope(add_months(month, -1), month, currency, timezone))
    return [{"group": group, "value": figures[declared.figure]}
            for group, figures in groups if declared.figure in figures]


def traffic_channels(by: str, scope: Scope) -> Groups:
    """Visits, conversions and the visitor conversion rate per traffic channel."""
    rows = fetch("breakdown_traffic_by_channel", {"first_day": scope.last, "last_day": end_of(scope.last)})
    return [(channel or NONE_GROUP, {
        "visits": visits,
        "conversions": conversions,
        "visitor_conversion_rate": (Decimal(conversions) / visits_with_conversions * HUNDRED
                                    if visits_with_conversions else None),
    }) for channel, visits, conversions, visits_with_conversions in rows]


def customers(by: str, scope: Scope) -> Groups:
    """MRR, paying customers, ARPU and customer churn rate per segment, country or plan."""
    statement = "breakdown_customers_by_plan" if by == "plan" else "breakdown_customers_by_field"
    groups = []
    for value, mrr12, paying, at_start, churned in fetch(statement, {**scope.params(), "by": by}):
        mrr = Decimal(mrr12) / TWELVE
        groups.append((value or NONE_GROUP, {
            "mrr": mrr,
            "customers": paying,
            "arpu": mrr / paying if paying else None,
            "customer_churn_rate": Decimal(churned) / at_start * HUNDRED if at_start else None,
        }))
    return groups


def acquisition_channels(by: str, scope: Scope) -> Groups:
    """Marketing spend (channels with marketing or sales spend), new customers (channels
    with new customers) and CAC (either) per acquisition channel."""
    spend: dict[str, dict[str, Decimal]] = {}
    for channel, category, amount in fetch("breakdown_spend_by_channel", scope.params()):
        costs = spend.setdefault(channel or NONE_GROUP, {"marketing": Decimal(0), "sales": Decimal(0)})
        costs[category] = amount
    new = {channel or NONE_GROUP: count
           for channel, count in fetch("breakdown_new_customers_by_channel", scope.params())}
    groups = []
    for group in sorted(set(spend) | set(new)):
        cost = spend.get(group, {"marketing": Decimal(0), "sales": Decimal(0)})
        customers_won = new.get(group, 0)
        figures: dict[str, Any] = {"cac": (cost["marketing"] + cost["sales"]) / customers_won
                                   if customers_won else None}
        if group in spend:
            figures["marketing_spend"] = cost["marketing"]
        if group in new:
            figures["new_customers"] = customers_won
        groups.append((group, figures))
    return groups


FAMILIES: dict[str, Callable[[str, Scope], Groups]] = {
    "traffic_channels": traffic_channels,
    "customers": customers,
    "acquisition_channels": acquisition_channels,
}
