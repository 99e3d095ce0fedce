"""Every catalog formula as a pure function of one month's figures.

The SQL families (``sql/``) aggregate records into per-month figures; these functions
turn figures into KPI values with exact ``Decimal`` arithmetic. A formula that cannot
give a value raises ``Unavailable`` with the reason people will read ("no customers at
the start of the month"): a division by zero is never reported as 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Callable

Number = int | Decimal


class Unavailable(Exception):
    """The KPI has no value this month; ``str(exc)`` is the reason."""


@dataclass(frozen=True)
class Missing:
    """A figure the month does not have, and why (e.g. "no invoices imported")."""

    reason: str


class MonthFigures:
    """One month's figures by name, KPI values added as they are computed, and the
    month before (``previous``) for formulas that compare."""

    def __init__(self, month: date, values: dict[str, Any], previous: MonthFigures | None = None):
        self.month = month
        self._values = dict(values)
        self.previous = previous

    def __getitem__(self, name: str) -> Number:
        value = self._values[name]
        if isinstance(value, Missing):
            raise Unavailable(value.reason)
        return value

    def __setitem__(self, name: str, value: Any) -> None:
        self._values[name] = value

    def raw(self, name: str) -> Any:
        """The figure or its ``Missing`` marker (``Missing`` too when never set)."""
        return self._values.get(name, Missing(f"{name} is not available"))

    def has(self, name: str) -> bool:
        return not isinstance(self.raw(name), Missing)


Formula = Callable[[MonthFigures], Number]
HUNDRED = Decimal(100)
TWELVE = Decimal(12)
SECONDS_PER_HOUR = Decimal(3600)


def ratio(numerator: Number, denominator: Number, *, when_zero: str) -> Decimal:
    if denominator == 0:
        raise Unavailable(when_zero)
    return Decimal(numerator) / Decimal(denominator)


def percent(numerator: Number, denominator: Number, *, when_zero: str) -> Decimal:
    return ratio(numerator, denominator, when_zero=when_zero) * HUNDRED


def twelfth(name: str) -> Formula:
    """A money figure summed as 12 x MRR in SQL (exact), divided once here."""
    return lambda f: Decimal(f[name]) / TWELVE


def figure(name: str) -> Formula:
    return lambda f: f[name]


def needs_rows(rows_figure: str, column: str, formula: Formula) -> Formula:
    """Optional traffic columns: no value unless some row of the month gives them
    (a month whose rows never mention conversions has no conversion count, not 0)."""

    def compute(f: MonthFigures) -> Number:
        if f[rows_figure] == 0:
            raise Unavailable(f"no traffic rows of the month give {column}")
        return formula(f)

    return compute


# --- Subscriptions ------------------------------------------------------------------

def net_new_mrr(f: MonthFigures) -> Decimal:
    moved = (f["new12"] + f["expansion12"] + f["reactivation12"]
             - f["contraction12"] - f["churned12"])
    return Decimal(moved) / TWELVE


def new_customers(f: MonthFigures) -> int:
    """Customers counted in new_mrr; a tenant without subscriptions counts customers
    whose first paid invoice is in the month instead."""
    if f.has("new_subscription_customers"):
        return f["new_subscription_customers"]
    if f.has("first_paid_invoice_customers"):
        return f["first_paid_invoice_customers"]
    raise Unavailable("no subscriptions or invoices imported")


def mrr_growth_rate(f: MonthFigures) -> Decimal:
    return percent(f["mrr"] - f["mrr_at_start"], f["mrr_at_start"],
                   when_zero="no MRR at the end of the previous month")


def customer_churn_rate(f: MonthFigures) -> Decimal:
    return percent(f["churned_customers"], f["customers_at_start"],
                   when_zero="no customers at the start of the month")


def customer_retention_rate(f: MonthFigures) -> Decimal:
    kept = f["customers"] - f["new_customers"] - f["reactivated_customers"]
    return percent(kept, f["customers_at_start"], when_zero="no customers at the start of the month")


def gross_mrr_churn_rate(f: MonthFigures) -> Decimal:
    return percent(f["churned_mrr"] + f["contraction_mrr"], f["mrr_at_start"],
                   when_zero="no MRR at the start of the month")


def net_revenue_retention(f: MonthFigures) -> Decimal:
    kept = f["mrr_at_start"] + f["expansion_mrr"] - f["contraction_mrr"] - f["churned_mrr"]
    return percent(kept, f["mrr_at_start"], when_zero="no MRR at the start of the month")


def quick_ratio(f: MonthFigures) -> Decimal:
    return ratio(f["new_mrr"] + f["expansion_mrr"] + f["reactivation_mrr"],
                 f["churned_mrr"] + f["contraction_mrr"],
                 when_zero="no churned or contraction MRR in the month")


def arpu(f: MonthFigures) -> Decimal:
    return ratio(f["mrr"], f["customers"], when_zero="no customers with MRR at the end of the month")


def ltv(f: MonthFigures) -> Decimal:
    """arpu / monthly churn, the churn pooled over M-2..M: customers churned in those
    months over the customers at the start of each, summed."""
    arpu_value = f["arpu"]
    starts = f["customers_at_start_3m"]
    if starts == 0:
        raise Unavailable("no customers at the start of the last 3 months")
    if f["churned_customers_3m"] == 0:
        raise Unavailable("no customers churned in the last 3 months: the lifetime has no bound yet")
    return arpu_value * Decimal(starts) / Decimal(f["churned_customers_3m"])


def committed_mrr(f: MonthFigures) -> Decimal:
    return Decimal(f["mrr12"] + f["scheduled12"] - f["ending12"]) / TWELVE


def acv(f: MonthFigures) -> Decimal:
    return ratio(f["started12"], f["subscriptions_started"],
                 when_zero="no subscriptions started in the month")


# --- Revenue and cost -------------------------------------------------------------

def revenue_growth_rate(f: MonthFigures) -> Decimal:
    return percent(f["revenue"] - f["revenue_previous_month"], f["revenue_previous_month"],
                   when_zero="no revenue in the previous month")


def aov(f: MonthFigures) -> Decimal:
    return ratio(f["order_amount"], f["orders"], when_zero="no paid orders in the month")


def cac(f: MonthFigures) -> Decimal:
    return ratio(f["marketing_spend"] + f["sales_spend"], f["new_customers"],
                 when_zero="no new customers in the month")


def ltv_cac_ratio(f: MonthFigures) -> Decimal:
    return ratio(f["ltv"], f["cac"], when_zero="no marketing or sales spend in the month")


def cac_payback_months(f: MonthFigures) -> Decimal:
    return ratio(f["cac"], f["arpu"], when_zero="no MRR per customer")


def gross_margin(f: MonthFigures) -> Decimal:
    return percent(f["revenue"] - f["cogs"], f["revenue"], when_zero="no revenue in the month")


def net_burn(f: MonthFigures) -> Decimal:
    return f["total_expenses"] - f["revenue"]


def runway_months(f: MonthFigures) -> Decimal:
    burn = f["net_burn"]
    if burn <= 0:
        raise Unavailable("not burning cash: expenses do not exceed revenue")
    return Decimal(f["cash"]) / Decimal(burn)


def inventory_turnover(f: MonthFigures) -> Decimal:
    return ratio(f["cogs"], f["inventory_value_mean"], when_zero="the mean inventory value of the month is 0")


# --- Acquisition --------------------------------------------------------------------

def bounce_rate(f: MonthFigures) -> Decimal:
    if f["rows_with_bounces"] == 0:
        raise Unavailable("no traffic rows of the month give bounces")
    return percent(f["bounces"], f["visits_with_bounces"],
                   when_zero="no visits on the rows that give bounces")


def visitor_conversion_rate(f: MonthFigures) -> Decimal:
    if f["rows_with_conversions"] == 0:
        raise Unavailable("no traffic rows of the month give conversions")
    return percent(f["conversions_total"], f["visits_with_conversions"],
                   when_zero="no visits on the rows that give conversions")


def lead_conversion_rate(f: MonthFigures) -> Decimal:
    return percent(f["leads_converted"], f["leads"], when_zero="no leads created in the month")


def lead_velocity_rate(f: MonthFigures) -> Decimal:
    return percent(f["qualified_leads"] - f["qualified_leads_previous_month"],
                   f["qualified_leads_previous_month"],
                   when_zero="no qualified leads in the previous month")


# --- Customers: surveys and support ---------------------------------------------------

def nps(f: MonthFigures) -> Decimal:
    answers = f["promoters"] + f["passives"] + f["detractors"]
    return percent(f["promoters"] - f["detractors"], answers, when_zero="no NPS responses in the month")


def nps_responses(f: MonthFigures) -> int:
    return f["promoters"] + f["passives"] + f["detractors"]


def csat(f: MonthFigures) -> Decimal:
    return percent(f["satisfied"], f["csat_answers"], when_zero="no CSAT responses in the month")


def survey_response_rate(f: MonthFigures) -> Decimal:
    return percent(f["invitations_answered"], f["invitations_sent"],
                   when_zero="no survey invitations sent in this month")


def avg_first_response_hours(f: MonthFigures) -> Decimal:
    return ratio(f["first_response_seconds"], f["answered_tickets"] * SECONDS_PER_HOUR,
                 when_zero="no tickets first answered in the month")


def avg_resolution_hours(f: MonthFigures) -> Decimal:
    return ratio(f["resolution_seconds"], f["tickets_resolved"] * SECONDS_PER_HOUR,
                 when_zero="no tickets resolved in the month")


# --- Custom metrics -------------------------------------------------------------------

def custom_metric(slug: str, aggregation: str) -> Formula:
    """``last`` (default), ``sum`` or ``avg`` of the metric's values dated in the month."""

    def compute(f: MonthFigures) -> Decimal:
        count = f.raw(f"metric:{slug}:count")
        if isinstance(count, Missing) or count == 0:
            raise Unavailable(f"no {slug} value dated in the month")
        if aggregation == "sum":
            return f[f"metric:{slug}:sum"]
        if aggregation == "avg":
            return Decimal(f[f"metric:{slug}:sum"]) / Decimal(count)
        return f[f"metric:{slug}:last"]

    return compute
