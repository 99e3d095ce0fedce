"""The inputs behind a KPI value, in words, for the KPI page: "12 of 400 customers at
the start of the month churned." The engine stores the figures (``KpiValue.inputs``);
this module only names and formats them."""

from __future__ import annotations

from dataclasses import dataclass

from metrics.formatting import format_kpi, format_number
from metrics.kpis.registry import BY_KEY, Kpi

MRR_MOVES = ("New {new_mrr}, expansion {expansion_mrr} and reactivation {reactivation_mrr}; "
             "contraction {contraction_mrr} and churned {churned_mrr}.")
SENTENCES = {
    "customer_churn_rate": "{churned_customers} of {customers_at_start} customers at the start of the month churned.",
    "customer_retention_rate": ("{customers} paying customers at the end, {new_customers} of them new and "
                                "{reactivated_customers} reactivated, against {customers_at_start} at the start."),
    "arpu": "{mrr} of MRR shared by {customers} paying customers.",
    "arr": "12 × {mrr} of MRR.",
    "mrr_growth_rate": "MRR went from {mrr_at_start} to {mrr}.",
    "revenue_growth_rate": "Revenue went from {revenue_previous_month} to {revenue}.",
    "net_new_mrr": MRR_MOVES,
    "quick_ratio": MRR_MOVES,
    "gross_mrr_churn_rate": "{churned_mrr} churned and {contraction_mrr} contraction MRR out of {mrr_at_start} at the start.",
    "net_revenue_retention": ("From {mrr_at_start} at the start: {expansion_mrr} expansion, "
                              "{contraction_mrr} contraction and {churned_mrr} churned MRR."),
    "committed_mrr": "MRR {mrr}, plus {scheduled_mrr} starting later, less {ending_mrr} with an end date.",
    "acv": "{subscriptions_started} subscriptions started in the month.",
    "aov": "{order_amount} over {orders} orders.",
    "cac": "{marketing_spend} on marketing and {sales_spend} on sales for {new_customers} new customers.",
    "ltv": ("ARPU {arpu}; {churned_customers_3m} of {customers_at_start_3m} customers churned over the last "
            "{months_in_churn_window} months."),
    "ltv_cac_ratio": "LTV {ltv} against CAC {cac}.",
    "cac_payback_months": "CAC {cac}, earned back at an ARPU of {arpu} a month.",
    "gross_margin": "Revenue {revenue}, cost of goods sold {cogs}.",
    "net_burn": "Expenses {total_expenses} against revenue {revenue}.",
    "runway_months": "Cash {cash}, net burn {net_burn} a month.",
    "visitor_conversion_rate": "{conversions_total} conversions from {visits_with_conversions} visits.",
    "bounce_rate": "{bounces} of {visits_with_bounces} visits bounced.",
    "lead_conversion_rate": "{leads_converted} of {leads} leads became customers.",
    "lead_velocity_rate": "{qualified_leads} qualified leads, against {qualified_leads_previous_month} the month before.",
    "nps": "{promoters} promoters, {passives} passives and {detractors} detractors (margin ± {nps_margin} points).",
    "csat": "{satisfied} of {csat_answers} answers scored 4 or 5.",
    "survey_response_rate": "{invitations_answered} of {invitations_sent} invitations answered.",
    "avg_first_response_hours": "{first_response_hours_total} to the first response over {answered_tickets} tickets.",
    "avg_resolution_hours": "{resolution_hours_total} to resolution over {tickets_resolved} resolved tickets.",
}
# Figures that are not KPIs themselves, by unit (everything else is a count).
FIGURE_UNITS = {
    "mrr_at_start": "money", "revenue_previous_month": "money", "scheduled_mrr": "money",
    "ending_mrr": "money", "order_amount": "money", "first_response_hours_total": "hours",
    "resolution_hours_total": "hours", "nps_margin": "points",
}
LABELS = {
    "mrr_at_start": "MRR at the start of the month", "customers_at_start": "Customers at the start of the month",
    "customers_at_start_3m": "Customers at the start of the last 3 months", "nps_margin": "Margin of error",
    "churned_customers_3m": "Customers churned in the last 3 months", "csat_answers": "CSAT answers",
}


@dataclass(frozen=True)
class Explanation:
    sentence: str
    figures: list[tuple[str, str]]  # (label, formatted value)


def unit_of(figure: str) -> str:
    if figure in BY_KEY:
        return BY_KEY[figure].unit
    return FIGURE_UNITS.get(figure, "count")


def label_of(figure: str) -> str:
    if figure in LABELS:
        return LABELS[figure]
    if figure in BY_KEY:
        return BY_KEY[figure].name
    return figure.replace("_", " ").capitalize()


def explain(kpi: Kpi, inputs: dict, *, currency: str, locale: str) -> Explanation:
    def formatted(figure: str) -> str:
        unit = unit_of(figure)
        if unit == "points":
            return format_number(inputs[figure], decimals=1, locale=locale)
        return format_kpi(inputs[figure], unit, currency=currency, locale=locale)

    values = {figure: formatted(figure) for figure in inputs}
    sentence = ""
    template = SENTENCES.get(kpi.key)
    if template:
        try:
            sentence = template.format(**values)
        except KeyError:  # a figure the engine did not store this month: list them instead
            sentence = ""
    return Explanation(sentence=sentence, figures=[(label_of(figure), values[figure]) for figure in inputs])
