"""How each KPI rolls up from months to a longer period (a quarter, a year, any range of
months): declared once, next to the registry, and read by the series API, the KPI
page's chart and the dashboard's ranges (issue 18, item 4; docs/rollups.md).

Five kinds:

* ``SUM``: flows counted "in the month" (revenue, new MRR, orders, visits, tickets ...);
* ``LAST``: levels at a moment (MRR, customers, cash ...): the period's last month with a value;
* ``FIRST``: only as an input: a level at the period's start (customers at the start);
* ``RECOMPUTE``: rates and averages with an exact roll-up: the KPI's formula applied to
  its inputs (``KpiValue.inputs``) each rolled up by its own kind, e.g. a quarter's
  customer churn rate = churned customers summed over the quarter / customers at the
  start of its first month;
* ``WEIGHTED``: a mean over things counted each month (ACV per subscription started):
  the months' values weighed by that count;
* ``MEAN``: rates with no exact roll-up from what is stored (growth rates against the
  previous month, ratios of two rolled-up KPIs): the mean of the months' values.

Months without a value or an input are left out of a sum or mean; a recompute whose
denominator is 0 gives no value. Pure: month values in, a Decimal (or None) out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, DivisionByZero, InvalidOperation, localcontext
from enum import StrEnum
from typing import Any

from metrics.kpis.evaluate import PRECISION, stored
from metrics.kpis.registry import BY_KEY, Kpi
from metrics.months import Month

HUNDRED = Decimal(100)


class How(StrEnum):
    SUM = "sum"
    LAST = "last"
    FIRST = "first"
    MEAN = "mean"
    WEIGHTED = "weighted"
    RECOMPUTE = "recompute"


@dataclass(frozen=True)
class Rollup:
    """How one KPI's months make a period. ``inputs``: (input name as in
    ``KpiValue.inputs``, how it rolls up), read by ``formula`` (RECOMPUTE) or the
    weight (WEIGHTED, its one input); ``text``: the rule in words, for docs/rollups.md."""

    how: How
    inputs: tuple[tuple[str, How], ...] = ()
    formula: Callable[[dict[str, Decimal]], Decimal] | None = None
    text: str = ""


@dataclass(frozen=True)
class MonthValue:
    """One stored month of a KPI: its value (or None) and its inputs."""

    month: Month
    value: Decimal | None
    inputs: dict[str, Any]


SUMMED = Rollup(How.SUM, text="the months' sum")
AT_END = Rollup(How.LAST, text="the last month's value")
AVERAGED = Rollup(How.MEAN, text="the mean of the months' values (no exact roll-up)")


def recompute(text: str, formula: Callable[[dict[str, Decimal]], Decimal], **inputs: How) -> Rollup:
    return Rollup(How.RECOMPUTE, tuple(inputs.items()), formula, text)


def pct(numerator: Decimal, denominator: Decimal) -> Decimal:
    return numerator / denominator * HUNDRED


S, F, L, M = How.SUM, How.FIRST, How.LAST, How.MEAN

# Every catalog KPI not named here is SUMMED: a flow of the month (kpi-catalog.md).
RULES: dict[str, Rollup] = {
    **{key: AT_END for key in ("mrr", "arr", "customers", "committed_mrr", "arpu", "ltv", "cash",
                               "runway_months", "active_users")},
    "mrr_growth_rate": recompute("(MRR at the end - MRR at the start) / MRR at the start x 100",
                                 lambda v: pct(v["mrr"] - v["mrr_at_start"], v["mrr_at_start"]),
                                 mrr=L, mrr_at_start=F),
    "customer_churn_rate": recompute("churned customers summed / customers at the start x 100",
                                     lambda v: pct(v["churned_customers"], v["customers_at_start"]),
                                     churned_customers=S, customers_at_start=F),
    "customer_retention_rate": recompute(
        "(customers at the end - new - reactivated customers summed) / customers at the start x 100",
        lambda v: pct(v["customers"] - v["new_customers"] - v["reactivated_customers"], v["customers_at_start"]),
        customers_at_start=F, customers=L, new_customers=S, reactivated_customers=S),
    "gross_mrr_churn_rate": recompute("(churned + contraction MRR summed) / MRR at the start x 100",
                                      lambda v: pct(v["churned_mrr"] + v["contraction_mrr"], v["mrr_at_start"]),
                                      mrr_at_start=F, churned_mrr=S, contraction_mrr=S),
    "net_revenue_retention": recompute(
        "(MRR at the start + expansion - contraction - churned MRR summed) / MRR at the start x 100",
        lambda v: pct(v["mrr_at_start"] + v["expansion_mrr"] - v["contraction_mrr"] - v["churned_mrr"],
                      v["mrr_at_start"]),
        mrr_at_start=F, expansion_mrr=S, contraction_mrr=S, churned_mrr=S),
    "quick_ratio": recompute(
        "(new + expansion + reactivation MRR) / (churned + contraction MRR), each summed",
        lambda v: (v["new_mrr"] + v["expansion_mrr"] + v["reactivation_mrr"]) / (v["churned_mrr"] + v["contraction_mrr"]),
        new_mrr=S, expansion_mrr=S, reactivation_mrr=S, contraction_mrr=S, churned_mrr=S),
    "acv": Rollup(How.WEIGHTED, (("subscriptions_started", S),),
                  text="the months' values weighed by the subscriptions started in each"),
    "revenue_growth_rate": AVERAGED,
    "lead_velocity_rate": AVERAGED,
    "ltv_cac_ratio": AVERAGED,
    "cac_payback_months": AVERAGED,
    "aov": recompute("order amounts summed / orders summed",
                     lambda v: v["order_amount"] / v["orders"], order_amount=S, orders=S),
    "cac": recompute("(marketing + sales spend summed) / new customers summed",
                     lambda v: (v["marketing_spend"] + v["sales_spend"]) / v["new_customers"],
                     marketing_spend=S, sales_spend=S, new_customers=S),
    "gross_margin": recompute("(revenue - COGS, each summed) / revenue x 100",
                              lambda v: pct(v["revenue"] - v["cogs"], v["revenue"]), revenue=S, cogs=S),
    "inventory_turnover": recompute("COGS summed / the mean of the months' mean inventory value",
                                    lambda v: v["cogs"] / v["inventory_value_mean"],
                                    cogs=S, inventory_value_mean=M),
    "bounce_rate": recompute("bounces summed / visits (rows with bounces) summed x 100",
                             lambda v: pct(v["bounces"], v["visits_with_bounces"]),
                             bounces=S, visits_with_bounces=S),
    "visitor_conversion_rate": recompute(
        "conversions summed / visits (rows with conversions) summed x 100",
        lambda v: pct(v["conversions_total"], v["visits_with_conversions"]),
        conversions_total=S, visits_with_conversions=S),
    "lead_conversion_rate": recompute("converted leads summed / leads summed x 100",
                                      lambda v: pct(v["leads_converted"], v["leads"]), leads=S, leads_converted=S),
    "nps": recompute("(promoters - detractors) / answers, each summed, x 100",
                     lambda v: pct(v["promoters"] - v["detractors"], v["promoters"] + v["passives"] + v["detractors"]),
                     promoters=S, passives=S, detractors=S),
    "csat": recompute("satisfied answers summed / answers summed x 100",
                      lambda v: pct(v["satisfied"], v["csat_answers"]), satisfied=S, csat_answers=S),
    "survey_response_rate": recompute("answered invitations summed / invitations sent summed x 100",
                                      lambda v: pct(v["invitations_answered"], v["invitations_sent"]),
                                      invitations_sent=S, invitations_answered=S),
    "avg_first_response_hours": recompute(
        "first response hours summed / answered tickets summed",
        lambda v: v["first_response_hours_total"] / v["answered_tickets"],
        answered_tickets=S, first_response_hours_total=S),
    "avg_resolution_hours": recompute("resolution hours summed / resolved tickets summed",
                                      lambda v: v["resolution_hours_total"] / v["tickets_resolved"],
                                      tickets_resolved=S, resolution_hours_total=S),
}
# A custom metric rolls up the way its months are summarised (registry.custom_kpi).
CUSTOM = {"sum": SUMMED, "avg": AVERAGED, "last": AT_END}


def rule_of(kpi: Kpi) -> Rollup:
    if kpi.is_custom:
        return CUSTOM.get(kpi.aggregation, AT_END)
    return RULES.get(kpi.key, SUMMED)


def rule_text(kpi: Kpi) -> str:
    """The KPI's roll-up rule in words, as the KPI page and the dashboard's ranges say it."""
    return rule_of(kpi).text or SUMMED.text


def _combine(how: How, values: Sequence[Decimal]) -> Decimal:
    if how == How.SUM:
        return sum(values, Decimal(0))
    if how == How.FIRST:
        return values[0]
    if how == How.LAST:
        return values[-1]
    return sum(values, Decimal(0)) / len(values)


def roll_up(kpi: Kpi, months: Sequence[MonthValue]) -> Decimal | None:
    """The KPI over the months (in order), by its rule; None when nothing is known or
    a recomputed denominator is 0. Stored precision, like a month's value."""
    rule = rule_of(kpi)
    with localcontext(PRECISION):
        try:
            value = _roll_up(rule, months)
        except (ZeroDivisionError, DivisionByZero, InvalidOperation):
            return None
    return None if value is None else stored(value)


def _roll_up(rule: Rollup, months: Sequence[MonthValue]) -> Decimal | None:
    values = [Decimal(m.value) for m in months if m.value is not None]
    if rule.how == How.RECOMPUTE:
        rolled = {}
        for name, how in rule.inputs:
            present = [Decimal(str(m.inputs[name])) for m in months if m.inputs.get(name) is not None]
            if not present:
                return None
            rolled[name] = _combine(how, present)
        return rule.formula(rolled)
    if rule.how == How.WEIGHTED:
        (weight, _), = rule.inputs
        pairs = [(Decimal(m.value), Decimal(str(m.inputs[weight]))) for m in months
                 if m.value is not None and m.inputs.get(weight) is not None]
        if not pairs:
            return None
        return sum((v * w for v, w in pairs), Decimal(0)) / sum((w for _, w in pairs), Decimal(0))
    if not values:
        return None
    return _combine(rule.how, values)


def table() -> list[tuple[str, str, str]]:
    """(KPI key, kind, the rule in words) for every catalog KPI: docs/rollups.md."""
    return [(kpi.key, rule_of(kpi).how.value, rule_text(kpi)) for kpi in BY_KEY.values()]
