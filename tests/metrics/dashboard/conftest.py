"""A small company with three months of history (the catalog's kind of numbers) and
browsers logged in to it, for the dashboard, chart and KPI page tests."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from metrics.models import KpiCoverage, KpiValue

from tests.metrics.kpis.builders import (customer, customers, expense, invoice, metric, recompute, subscription,
                                 survey_answers, traffic)

UTC = ZoneInfo("UTC")
NOVEMBER = date(2025, 11, 1)


def logged_in(handle) -> Client:
    client = Client(HTTP_HOST=handle.host)
    assert client.post("/accounts/login/", {"username": handle.owner_email, "password": handle.password}).status_code == 302
    return client


@pytest.fixture
def owner(acme, db) -> Client:
    return logged_in(acme)


@pytest.fixture
def globex_browser(globex, db) -> Client:
    return logged_in(globex)


@pytest.fixture
def march(in_acme):
    """Three paying customers at the start of March 2025 (segments a, a, b); the one on
    the basic plan in segment a churns on 10 March; a fourth, named like a spreadsheet
    formula, churns too. Invoices, traffic on two channels, spend, NPS and CSAT answers,
    and a custom metric."""
    first, second = customers(2, segment="a", channel="paid")
    third = customers(1, segment="b", channel="organic")[0]
    tricky = customer(name="=HYPERLINK(\"http://x.example\")", segment="b", channel="organic")
    subscription(first, date(2025, 1, 5), amount="100", plan="pro")
    subscription(second, date(2025, 1, 5), date(2025, 3, 10), amount="50", plan="basic")
    subscription(third, date(2025, 2, 5), amount="30", plan="basic")
    subscription(tricky, date(2025, 2, 5), date(2025, 3, 20), amount="20", plan="basic")
    for day in range(1, 4):
        invoice(date(2025, 3, day), "10")
    invoice(date(2025, 2, 1), "25")
    traffic(date(2025, 3, 1), 100, channel="social", conversions=4)
    traffic(date(2025, 3, 2), 300, channel="email", conversions=3)
    expense(date(2025, 3, 3), "marketing", "600", channel="organic")
    survey_answers("nps", [10, 10, 9, 5], datetime(2025, 3, 12, 10, tzinfo=UTC))
    survey_answers("csat", [5, 4, 2], datetime(2025, 3, 12, 10, tzinfo=UTC))
    metric("trial_signups", date(2025, 3, 31), "42")
    recompute()
    connection.set_schema_to_public()
    return in_acme


@pytest.fixture
def stored(acme, db):
    """Stored values of November 2025 for a handful of KPIs (the month is complete)."""
    connection.set_tenant(acme.tenant)
    KpiCoverage.objects.create(pk=1, first_month=date(2025, 1, 1), last_month=NOVEMBER, computed_at=timezone.now())
    KpiValue.objects.bulk_create([KpiValue(kpi=key, month=NOVEMBER, value=Decimal(value), computed_at=timezone.now())
                                  for key, value in [("mrr", "1000"), ("revenue", "500"), ("orders", "7"),
                                                     ("customer_churn_rate", "4")]])
    connection.set_schema_to_public()
