"""One declaration per KPI of ../shared/spec/kpi-catalog.md.

Everything that speaks about a KPI reads it from here: the engine (``formula``), the
API (name, unit, direction, benchmark, which figures it shows as ``inputs``, its
breakdowns and drill-down movements), goals (the key) and ``docs/kpis.md``
(``manage.py kpi_docs``). Custom metrics join the catalog per tenant through
``tenant_kpis()``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from metrics.kpis import formulas as fx
from metrics.kpis.formulas import Formula
from metrics.models import CustomMetric, MetricValue


class Unit(StrEnum):
    MONEY = "money"
    PERCENT = "percent"
    COUNT = "count"
    RATIO = "ratio"
    HOURS = "hours"
    MONTHS = "months"
    SCORE = "score"  # NPS: -100..100


class Direction(StrEnum):
    UP = "up"
    DOWN = "down"


class Category(StrEnum):
    REVENUE = "Revenue"
    CUSTOMERS = "Customers"
    ACQUISITION = "Acquisition"
    SATISFACTION = "Satisfaction"
    SUPPORT = "Support"
    FINANCE = "Finance"
    CUSTOM = "Custom"


@dataclass(frozen=True)
class Source:
    """A source article of ../shared/seeds/: its title, the file it is in, a short name
    a card has room for (the publisher) and where it is published, so a reader can
    check the band against the article."""

    title: str
    file: str
    name: str
    url: str

    def as_dict(self) -> dict:
        return {"title": self.title, "name": self.name, "url": self.url}


SOFTWARE_ECOMMERCE = Source("What Are the 7 Key KPIs for Software Ecommerce?", "000_dc33aaaaa03a5c87.txt",
                            "Financial Model Templates",
                            "https://financialmodeltemplates.com/blogs/kpis/software-e-commerce")
CRM_SOFTWARE = Source("Crm Software BUNDLE: What Are 5 Core KPIs Every Crm Software Should Track?",
                      "001_fe396e8793c5af63.txt", "Business Plan Kit",
                      "https://businessplankit.com/blogs/kpis/crm-software")
CRM_VENDOR_PT = Source("Quais são os 7 principais KPIs de um negócio de fornecedor de software de "
                       "gerenciamento de relacionamento com o cliente?", "004_0840007892d11234.txt",
                       "bplaner (in Portuguese)",
                       "https://bplaner.com/pt/blogs/kpi-metrics/"
                       "customer-relationship-management-crm-software-provider-kpi-metrics")


@dataclass(frozen=True)
class Benchmark:
    """A reference band from the articles, shown as context, never as a target.

    ``low`` and ``high``, when given, are the band's numbers in the KPI's unit (money
    in ``currency``): an import whose KPI lands ten times outside them gets a warning
    (metrics/imports/plausibility.py). Given only where being that far out means a
    unit mistake rather than an unusual business (docs/decisions.md, "Plausibility").

    A money band has its ``currency``; with ``low``, ``high`` and ``wording`` (the
    band's words after the numbers) it can be restated in another currency
    (metrics/kpis/benchmarks.py)."""

    band: str
    sources: tuple[Source, ...]
    low: float | None = None
    high: float | None = None
    currency: str = ""
    wording: str = ""

    def as_dict(self) -> dict:
        """The API's shape: ``band`` and ``source`` as api.md has always had them, then
        (added in issue 17) the band's ``currency`` (null unless money) and its
        ``sources`` with their short names and links."""
        return {"band": self.band, "source": "; ".join(source.title for source in self.sources),
                "currency": self.currency or None, "sources": [source.as_dict() for source in self.sources]}


@dataclass(frozen=True)
class Breakdown:
    """A KPI's value of one month per group: the ``figure`` of the groups that
    ``family`` computes (drilldown/breakdowns.py), by any of the dimensions ``by``."""

    family: str
    figure: str
    by: tuple[str, ...]


@dataclass(frozen=True)
class Kpi:
    key: str
    name: str
    unit: str
    direction: Direction
    category: Category
    formula_text: str
    formula: Formula = field(repr=False, compare=False)
    # Figures shown as ``inputs``: a name, or (label, figure name).
    shows: tuple[str | tuple[str, str], ...] = ()
    benchmark: Benchmark | None = None
    breakdown: Breakdown | None = None
    # Drill-down movements (``?movement=``), the first is the default.
    movements: tuple[str, ...] = ()
    # The metric_values slug the KPI reads (custom metrics and reserved slugs).
    metric_slug: str = ""
    # A custom metric's summary of a month (last, sum, avg): how it rolls up too (rollup.py).
    aggregation: str = ""

    @property
    def breakdowns(self) -> tuple[str, ...]:
        """The dimensions the KPI breaks down by (``?by=``), the first the default."""
        return self.breakdown.by if self.breakdown else ()

    @property
    def is_custom(self) -> bool:
        return self.category == Category.CUSTOM

    def trend(self, change) -> str:
        """good / bad / flat: a change read in the KPI's own direction (less churn is good)."""
        if not change:
            return "flat"
        return "good" if (change > 0) == (self.direction == Direction.UP) else "bad"


U, D = Direction.UP, Direction.DOWN
REV, CUS, ACQ, SAT, SUP, FIN = (Category.REVENUE, Category.CUSTOMERS, Category.ACQUISITION,
                                Category.SATISFACTION, Category.SUPPORT, Category.FINANCE)


def by_customer(figure: str) -> Breakdown:
    return Breakdown("customers", figure, ("segment", "country", "plan"))


def by_traffic_channel(figure: str) -> Breakdown:
    return Breakdown("traffic_channels", figure, ("channel",))


def by_acquisition_channel(figure: str) -> Breakdown:
    return Breakdown("acquisition_channels", figure, ("channel",))


MOVED = ("moved", "new", "reactivation", "expansion", "contraction", "churn")
MRR_MOVES = ("new_mrr", "expansion_mrr", "reactivation_mrr", "contraction_mrr", "churned_mrr")

CATALOG: tuple[Kpi, ...] = (
    # --- Subscriptions: computed first, in dependency order -------------------------
    Kpi("mrr", "Monthly recurring revenue", Unit.MONEY, U, REV,
        "Sum over customers of their MRR on the last day of the month: each active "
        "subscription's amount x quantity per month (quarter / 3, year / 12, week x 52 / 12), "
        "converted at the month's exchange rate.",
        fx.twelfth("mrr12"), shows=("customers",), breakdown=by_customer("mrr"), movements=("active",)),
    Kpi("arr", "Annual recurring revenue", Unit.MONEY, U, REV, "12 x MRR.",
        fx.figure("mrr12"), shows=("mrr",), movements=("active",)),
    Kpi("customers", "Paying customers", Unit.COUNT, U, CUS,
        "Customers with MRR > 0 on the last day of the month.",
        fx.figure("paying_customers"), breakdown=by_customer("customers"), movements=("active",)),
    Kpi("new_mrr", "New MRR", Unit.MONEY, U, REV,
        "MRR of customers who have MRR now, had none at the end of the previous month and "
        "never had any at an earlier month end.",
        fx.twelfth("new12"), shows=("new_customers",), movements=("new",)),
    Kpi("reactivation_mrr", "Reactivation MRR", Unit.MONEY, U, REV,
        "MRR of customers who have MRR now, had none at the end of the previous month, but "
        "had some at an earlier month end (win-backs).",
        fx.twelfth("reactivation12"), shows=("reactivated_customers",), movements=("reactivation",)),
    Kpi("expansion_mrr", "Expansion MRR", Unit.MONEY, U, REV,
        "Growth of MRR of customers who had MRR at both month ends and now pay more.",
        fx.twelfth("expansion12"), shows=("expanded_customers",), movements=("expansion",)),
    Kpi("contraction_mrr", "Contraction MRR", Unit.MONEY, D, REV,
        "Decrease of MRR of customers who had MRR at both month ends and now pay less.",
        fx.twelfth("contraction12"), shows=("contracted_customers",), movements=("contraction",)),
    Kpi("churned_mrr", "Churned MRR", Unit.MONEY, D, REV,
        "Previous month's MRR of customers who have no MRR at the end of this month.",
        fx.twelfth("churned12"), shows=("churned_customers",), movements=("churn",)),
    Kpi("net_new_mrr", "Net new MRR", Unit.MONEY, U, REV,
        "New + expansion + reactivation - contraction - churned MRR; always MRR(M) - MRR(M-1).",
        fx.net_new_mrr, shows=MRR_MOVES, movements=MOVED),
    Kpi("new_customers", "New customers", Unit.COUNT, U, CUS,
        "Customers counted in new MRR (a tenant without subscriptions: customers whose first "
        "paid invoice is in the month).",
        fx.new_customers, shows=("first_paid_invoice_customers",),
        breakdown=by_acquisition_channel("new_customers"), movements=("new",)),
    Kpi("reactivated_customers", "Reactivated customers", Unit.COUNT, U, CUS,
        "Customers counted in reactivation MRR.",
        fx.figure("reactivated_count"), movements=("reactivation",)),
    Kpi("churned_customers", "Churned customers", Unit.COUNT, D, CUS,
        "Customers counted in churned MRR.",
        fx.figure("churned_count"), movements=("churn",)),
    Kpi("mrr_growth_rate", "MRR growth rate", Unit.PERCENT, U, REV,
        "(MRR(M) - MRR(M-1)) / MRR(M-1) x 100.",
        fx.mrr_growth_rate, shows=("mrr", "mrr_at_start"),
        benchmark=Benchmark("5-10 % per month healthy; 10-20 % strong",
                            (SOFTWARE_ECOMMERCE, CRM_SOFTWARE)),
        movements=MOVED),
    Kpi("customer_churn_rate", "Customer churn rate", Unit.PERCENT, D, CUS,
        "Churned customers / customers at the start of the month x 100.",
        fx.customer_churn_rate, shows=("customers_at_start", "churned_customers"),
        benchmark=Benchmark("healthy < 5 %; 5-10 % typical SaaS; > 10 % at risk", (SOFTWARE_ECOMMERCE,)),
        breakdown=by_customer("customer_churn_rate"), movements=("churn",)),
    Kpi("customer_retention_rate", "Customer retention rate", Unit.PERCENT, U, CUS,
        "(Customers at the end - new - reactivated customers) / customers at the start x 100.",
        fx.customer_retention_rate,
        shows=("customers_at_start", "customers", "new_customers", "reactivated_customers"),
        benchmark=Benchmark("85-95 % for leading CRM platforms", (CRM_SOFTWARE,)),
        movements=("retained", "churn")),
    Kpi("gross_mrr_churn_rate", "Gross MRR churn rate", Unit.PERCENT, D, REV,
        "(Churned + contraction MRR) / MRR at the start of the month x 100.",
        fx.gross_mrr_churn_rate, shows=("mrr_at_start", "churned_mrr", "contraction_mrr"),
        movements=("churn", "contraction")),
    Kpi("net_revenue_retention", "Net revenue retention", Unit.PERCENT, U, REV,
        "(MRR at the start + expansion - contraction - churned MRR) / MRR at the start x 100.",
        fx.net_revenue_retention,
        shows=("mrr_at_start", "expansion_mrr", "contraction_mrr", "churned_mrr"),
        movements=("expansion", "contraction", "churn")),
    Kpi("quick_ratio", "SaaS quick ratio", Unit.RATIO, U, REV,
        "(New + expansion + reactivation MRR) / (churned + contraction MRR).",
        fx.quick_ratio, shows=MRR_MOVES, movements=MOVED),
    Kpi("arpu", "Average revenue per user", Unit.MONEY, U, REV,
        "MRR / paying customers.",
        fx.arpu, shows=("mrr", "customers"),
        benchmark=Benchmark("$50-100 per month typical SaaS", (SOFTWARE_ECOMMERCE,), low=50, high=100,
                            currency="USD", wording="per month typical SaaS"),
        breakdown=by_customer("arpu"), movements=("active",)),
    Kpi("ltv", "Customer lifetime value", Unit.MONEY, U, CUS,
        "ARPU / monthly churn, the churn being the customers churned in the last 3 months "
        "(fewer when the history is shorter) / the customers at the start of each of those "
        "months, summed.",
        fx.ltv, shows=("arpu", "churned_customers_3m", "customers_at_start_3m", "months_in_churn_window"),
        movements=("churn", "active")),
    Kpi("committed_mrr", "Committed MRR", Unit.MONEY, U, REV,
        "MRR + MRR of subscriptions starting after the month - MRR of active subscriptions "
        "that have an end date.",
        fx.committed_mrr, shows=("mrr", "scheduled_mrr", "ending_mrr"),
        movements=("scheduled_start", "scheduled_end")),
    Kpi("acv", "Average contract value", Unit.MONEY, U, REV,
        "Mean of 12 x MRR over the subscriptions starting in the month.",
        fx.acv, shows=("subscriptions_started",), movements=("started",)),
    # --- Revenue and cost -----------------------------------------------------------
    Kpi("revenue", "Revenue", Unit.MONEY, U, REV,
        "Sum of paid invoices dated in the month (refunds are negative; open and void "
        "invoices do not count).",
        fx.figure("invoice_revenue"), movements=("paid",)),
    Kpi("revenue_growth_rate", "Revenue growth rate", Unit.PERCENT, U, REV,
        "(Revenue(M) - revenue(M-1)) / revenue(M-1) x 100.",
        fx.revenue_growth_rate, shows=("revenue", "revenue_previous_month"), movements=("paid",)),
    Kpi("orders", "Orders", Unit.COUNT, U, REV,
        "Paid invoices in the month with an amount > 0.",
        fx.figure("paid_orders"), movements=("orders",)),
    Kpi("aov", "Average order value", Unit.MONEY, U, REV,
        "Sum of those orders' amounts / orders.",
        fx.aov, shows=("order_amount", "orders"), movements=("orders",)),
    Kpi("marketing_spend", "Marketing spend", Unit.MONEY, D, ACQ,
        "Marketing expenses in the month.",
        fx.figure("marketing_expenses"), breakdown=by_acquisition_channel("marketing_spend"),
        movements=("marketing",)),
    Kpi("sales_spend", "Sales spend", Unit.MONEY, D, ACQ,
        "Sales expenses in the month.",
        fx.figure("sales_expenses"), movements=("sales",)),
    Kpi("cogs", "Cost of goods sold", Unit.MONEY, D, FIN,
        "COGS expenses in the month.",
        fx.figure("cogs_expenses"), movements=("cogs",)),
    Kpi("total_expenses", "Total expenses", Unit.MONEY, D, FIN,
        "All expenses in the month.",
        fx.figure("all_expenses"), movements=("expenses",)),
    Kpi("cac", "Customer acquisition cost", Unit.MONEY, D, ACQ,
        "(Marketing + sales spend) / new customers.",
        fx.cac, shows=("marketing_spend", "sales_spend", "new_customers"),
        breakdown=by_acquisition_channel("cac"), movements=("acquisition_spend", "new")),
    Kpi("ltv_cac_ratio", "LTV / CAC", Unit.RATIO, U, ACQ,
        "LTV / CAC.",
        fx.ltv_cac_ratio, shows=("ltv", "cac"),
        benchmark=Benchmark(">= 3 healthy", (CRM_SOFTWARE,)),
        movements=("acquisition_spend", "new")),
    Kpi("cac_payback_months", "CAC payback", Unit.MONTHS, D, ACQ,
        "CAC / ARPU.",
        fx.cac_payback_months, shows=("cac", "arpu"), movements=("acquisition_spend", "new")),
    Kpi("gross_margin", "Gross margin", Unit.PERCENT, U, FIN,
        "(Revenue - COGS) / revenue x 100.",
        fx.gross_margin, shows=("revenue", "cogs"),
        benchmark=Benchmark(">= 70 % healthy for software; 70-90 % typical", (SOFTWARE_ECOMMERCE,)),
        movements=("paid", "cogs")),
    Kpi("net_burn", "Net burn", Unit.MONEY, D, FIN,
        "Total expenses - revenue.",
        fx.net_burn, shows=("total_expenses", "revenue"), movements=("expenses", "paid")),
    Kpi("cash", "Cash", Unit.MONEY, U, FIN,
        "The last cash_balance metric value dated in the month.",
        fx.figure("cash_balance_last"), movements=("cash_balance",), metric_slug="cash_balance"),
    Kpi("runway_months", "Runway", Unit.MONTHS, U, FIN,
        "Cash / net burn when net burn > 0 (otherwise no runway limit, so no value).",
        fx.runway_months, shows=("cash", "net_burn"), movements=("cash_balance", "expenses", "paid"),
        metric_slug="cash_balance"),
    Kpi("inventory_turnover", "Inventory turnover", Unit.RATIO, U, FIN,
        "COGS / mean of the inventory_value metric values dated in the month.",
        fx.inventory_turnover, shows=("cogs", "inventory_value_mean"),
        movements=("inventory_value", "cogs"), metric_slug="inventory_value"),
    # --- Acquisition ----------------------------------------------------------------
    Kpi("visits", "Visits", Unit.COUNT, U, ACQ, "Sum of visits over the month's traffic rows.",
        fx.figure("visits_total"), breakdown=by_traffic_channel("visits"), movements=("traffic",)),
    Kpi("unique_visitors", "Unique visitors", Unit.COUNT, U, ACQ,
        "Sum of unique visitors over the month's traffic rows that give them.",
        fx.needs_rows("rows_with_unique_visitors", "unique_visitors", fx.figure("unique_visitors_total")),
        movements=("traffic",)),
    Kpi("pageviews", "Pageviews", Unit.COUNT, U, ACQ,
        "Sum of pageviews over the month's traffic rows that give them.",
        fx.needs_rows("rows_with_pageviews", "pageviews", fx.figure("pageviews_total")),
        movements=("traffic",)),
    Kpi("conversions", "Conversions", Unit.COUNT, U, ACQ,
        "Sum of conversions over the month's traffic rows that give them.",
        fx.needs_rows("rows_with_conversions", "conversions", fx.figure("conversions_total")),
        breakdown=by_traffic_channel("conversions"), movements=("traffic",)),
    Kpi("bounce_rate", "Bounce rate", Unit.PERCENT, D, ACQ,
        "Sum of bounces / sum of visits x 100, over the rows that give bounces.",
        fx.bounce_rate, shows=("bounces", "visits_with_bounces"),
        benchmark=Benchmark("< 40 % excellent", (SOFTWARE_ECOMMERCE,)), movements=("traffic",)),
    Kpi("visitor_conversion_rate", "Visitor conversion rate", Unit.PERCENT, U, ACQ,
        "Sum of conversions / sum of visits x 100, over the rows that give conversions.",
        fx.visitor_conversion_rate, shows=("conversions_total", "visits_with_conversions"),
        benchmark=Benchmark("2-5 % typical e-commerce", (SOFTWARE_ECOMMERCE,)),
        breakdown=by_traffic_channel("visitor_conversion_rate"), movements=("traffic",)),
    Kpi("leads", "Leads", Unit.COUNT, U, ACQ, "Leads created in the month.",
        fx.figure("leads_created"), movements=("leads",)),
    Kpi("qualified_leads", "Qualified leads", Unit.COUNT, U, ACQ,
        "Leads created in the month that are qualified.",
        fx.figure("leads_qualified"), movements=("qualified",)),
    Kpi("lead_conversion_rate", "Lead conversion rate", Unit.PERCENT, U, ACQ,
        "Leads created in the month that have a converted date / leads x 100.",
        fx.lead_conversion_rate, shows=("leads", "leads_converted"),
        benchmark=Benchmark("2-5 % average; >= 10 % top performers", (CRM_VENDOR_PT,)),
        movements=("leads", "converted")),
    Kpi("lead_velocity_rate", "Lead velocity rate", Unit.PERCENT, U, ACQ,
        "(Qualified leads(M) - qualified leads(M-1)) / qualified leads(M-1) x 100.",
        fx.lead_velocity_rate, shows=("qualified_leads", "qualified_leads_previous_month"),
        movements=("qualified",)),
    # --- Customers: surveys and support -------------------------------------------------
    Kpi("nps", "Net Promoter Score", Unit.SCORE, U, SAT,
        "% promoters (9-10) - % detractors (0-6) over the NPS answers given in the month "
        "(KPI Hub surveys: one per recipient, the latest; imported answers each count).",
        fx.nps, shows=("promoters", "passives", "detractors", "nps_margin"),
        benchmark=Benchmark("~30 average for CRM software; > 50 top performers", (CRM_SOFTWARE,)),
        movements=("nps_responses",)),
    Kpi("nps_responses", "NPS responses", Unit.COUNT, U, SAT, "NPS answers given in the month.",
        fx.nps_responses, movements=("nps_responses",)),
    Kpi("csat", "Customer satisfaction (CSAT)", Unit.PERCENT, U, SAT,
        "Answers scoring 4 or 5 / all CSAT answers given in the month x 100.",
        fx.csat, shows=("satisfied", "csat_answers", "csat_margin"),
        benchmark=Benchmark("> 80 % excellent; 70-80 % good; < 70 % poor", (SOFTWARE_ECOMMERCE,)),
        movements=("csat_responses",)),
    Kpi("csat_responses", "CSAT responses", Unit.COUNT, U, SAT, "CSAT answers given in the month.",
        fx.figure("csat_answers"), movements=("csat_responses",)),
    Kpi("survey_response_rate", "Survey response rate", Unit.PERCENT, U, SAT,
        "Invitations sent in the month that were answered / invitations sent in the month x 100.",
        fx.survey_response_rate, shows=("invitations_sent", "invitations_answered"),
        movements=("invitations",)),
    Kpi("tickets_opened", "Tickets opened", Unit.COUNT, D, SUP, "Tickets opened in the month.",
        fx.figure("opened_tickets"), movements=("opened",)),
    Kpi("tickets_resolved", "Tickets resolved", Unit.COUNT, U, SUP, "Tickets resolved in the month.",
        fx.figure("resolved_tickets"), movements=("resolved",)),
    Kpi("avg_first_response_hours", "Average first response time", Unit.HOURS, D, SUP,
        "Mean of first response - opening over the tickets first answered in the month.",
        fx.avg_first_response_hours, shows=("answered_tickets", "first_response_hours_total"),
        movements=("answered",)),
    Kpi("avg_resolution_hours", "Average resolution time", Unit.HOURS, D, SUP,
        "Mean of resolution - opening over the tickets resolved in the month.",
        fx.avg_resolution_hours, shows=("tickets_resolved", "resolution_hours_total"),
        benchmark=Benchmark("4-8 h typical; < 4 h above average; < 2 h exceptional", (CRM_VENDOR_PT,)),
        movements=("resolved",)),
    Kpi("active_users", "Active users", Unit.COUNT, U, CUS,
        "The last active_users metric value dated in the month.",
        fx.figure("active_users_last"), movements=("values",), metric_slug="active_users"),
)

BY_KEY: dict[str, Kpi] = {kpi.key: kpi for kpi in CATALOG}
# Metric slugs with a built-in meaning: they feed catalog KPIs, not custom ones.
RESERVED_METRICS = frozenset({"cash_balance", "inventory_value", "active_users"})
AGGREGATION_TEXT = {"last": "The last value of {slug} dated in the month.",
                    "sum": "The sum of the {slug} values dated in the month.",
                    "avg": "The mean of the {slug} values dated in the month."}


def custom_kpi(*, slug: str, name: str = "", unit: str = "count", direction: str = "up",
               aggregation: str = "last") -> Kpi:
    """A tenant's own metric (metric_values) as a KPI, summarised per month the way the
    tenant set for it."""
    aggregation = aggregation if aggregation in AGGREGATION_TEXT else "last"
    return Kpi(slug, name or slug.replace("_", " ").capitalize(), unit or "count",
               Direction(direction) if direction in ("up", "down") else Direction.UP,
               Category.CUSTOM, AGGREGATION_TEXT[aggregation].format(slug=slug),
               fx.custom_metric(slug, aggregation), shows=(("values_in_month", f"metric:{slug}:count"),),
               movements=("values",), metric_slug=slug, aggregation=aggregation)


def tenant_kpis() -> list[Kpi]:
    """The catalog plus the current tenant's custom metrics: every slug of
    metric_values (and every CustomMetric) that is neither reserved nor a catalog key.
    A slug without a CustomMetric row is summarised by its last value."""
    settings = {metric.slug: metric for metric in CustomMetric.objects.all()}
    # order_by: the model orders by (metric, date), which DISTINCT would otherwise keep.
    slugs = set(settings) | set(MetricValue.objects.order_by("metric").values_list("metric", flat=True).distinct())
    custom = []
    for slug in sorted(slugs - RESERVED_METRICS - set(BY_KEY)):
        metric = settings.get(slug)
        custom.append(custom_kpi(slug=slug, name=metric.name, unit=metric.unit,
                                 direction=metric.direction, aggregation=metric.aggregation)
                      if metric else custom_kpi(slug=slug))
    return [*CATALOG, *custom]


def kpis_by_key(keys) -> dict[str, Kpi]:
    """The KPIs of ``keys`` that exist, read once for a whole list: the tenant's custom
    metrics (two queries) only when a key is not in the catalog."""
    keys = set(keys)
    known = tenant_kpis() if keys - BY_KEY.keys() else BY_KEY.values()
    return {kpi.key: kpi for kpi in known if kpi.key in keys}


def find_kpi(key: str) -> Kpi | None:
    """A catalog KPI or one of the current tenant's custom metrics."""
    return kpis_by_key([key]).get(key)
