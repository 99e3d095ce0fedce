"""The demo company a newcomer logs into after `make run`. Its login is printed at
start; it is a demonstration account, not a secret.

Its two years of sample data (metrics/demo/generate.py) go in through the same import
pipeline as any company's files, and its KPIs come from the real engine."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection
from django_tenants.utils import tenant_context

from metrics.demo.generate import generate
from metrics.goals.selectors import kpi_series
from metrics.goals.services import create_goal
from metrics.imports.services import import_records
from metrics.kpis.compute import recompute_kpis
from metrics.months import add_months, end_of
from tenants.models import Tenant
from tenants.signup import sign_up

DEMO_SLUG = "demo"
DEMO_EMAIL = "owner@demo.example"
DEMO_PASSWORD = "demo-kpihub-2026"
# Dependency order: rates before money, customers before what refers to them.
IMPORT_ORDER = ("fx_rates", "customers", "subscriptions", "invoices", "expenses", "traffic",
                "leads", "tickets", "survey_responses", "metric_values")


class DemoImportFailed(RuntimeError):
    pass


def ensure_demo_tenant() -> tuple[Tenant, bool]:
    connection.set_schema_to_public()
    existing = Tenant.objects.filter(slug=DEMO_SLUG).first()
    if existing:
        return existing, False
    result = sign_up(company_name="Demo SaaS Co", slug=DEMO_SLUG, email=DEMO_EMAIL,
                     password=DEMO_PASSWORD, currency="USD", timezone="Europe/London")
    fill_demo_data(result.tenant)
    return result.tenant, True


def fill_demo_data(tenant: Tenant) -> dict[str, int]:
    """Import the generated sample data and compute the KPIs; returns rows per kind."""
    data = generate()
    imported = {}
    with tenant_context(tenant):
        owner = get_user_model().objects.get(username=DEMO_EMAIL)
        for kind in IMPORT_ORDER:
            record = import_records(kind=kind, records=data.rows[kind], by=owner)
            if record.status != "succeeded":
                raise DemoImportFailed(f"demo {kind}: {record.status} {record.errors[:3]}")
            imported[kind] = record.rows_created + record.rows_updated + record.rows_unchanged
        recompute_kpis()
        set_demo_goals(owner)
    return imported


def set_demo_goals(owner) -> None:
    """Two goals set at the start of the data's last quarter, so the Goals page and the
    cards show progress, pace and a forecast from the first visit."""
    mrr = kpi_series("mrr")
    last = add_months(date.today().replace(day=1), -1)  # the data's last complete month (generate.py)
    start, deadline = add_months(last, -2), end_of(add_months(last, 4))
    for kpi, target, why in (
            ("customer_churn_rate", Decimal("2.5"), "Keep more of the customers we win."),
            ("mrr", Decimal(round(mrr[last] * 1.25, -3)), "Fund two more engineers next year.")):
        create_goal(by=owner, kpi=kpi, target_value=target, deadline=deadline, start_date=start, why=why,
                    today=start)
