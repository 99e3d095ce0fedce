"""The tenant's business data, one module per family (see data-contract.md).

Each record is keyed by the tenant's own ids (``customer_id``, ``invoice_id`` ...),
and foreign keys point at those ids directly (``to_field``), so imports can load and
upsert with plain SQL and the KPI engine can join without lookups.
"""

from .billing import Customer, Expense, FxRate, Invoice, Subscription
from .custom import CustomMetric, MetricValue
from .dashboard import DashboardCard
from .goals import Goal, GoalEvaluation, GoalStatusChange
from .imports import AccountCategory, DataImport, ImportChange, SavedMapping, StripeCoupon
from .kpis import KpiCoverage, KpiValue
from .marketing import Lead, TrafficDay
from .segments import SavedSegment
from .support import ImportedSurveyResponse, Ticket

__all__ = [
    "Customer", "Subscription", "Invoice", "Expense", "FxRate",
    "TrafficDay", "Lead", "Ticket", "ImportedSurveyResponse", "MetricValue", "CustomMetric",
    "KpiValue", "KpiCoverage", "Goal", "GoalEvaluation", "GoalStatusChange", "DataImport",
    "ImportChange", "SavedMapping", "AccountCategory", "StripeCoupon", "DashboardCard", "SavedSegment",
]
