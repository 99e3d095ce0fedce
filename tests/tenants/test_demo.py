"""The demo company: sample data through the real import pipeline, KPIs from the real
engine, so a newcomer sees a full dashboard at once."""

from datetime import date

from django.db import connection
from django.test import Client

from metrics.models import Customer, Goal, Invoice, KpiValue, Subscription, TrafficDay
from tenants.demo import DEMO_EMAIL, DEMO_PASSWORD, ensure_demo_tenant


def test_demo_tenant_is_filled_and_its_dashboard_shows_kpis(db):
    tenant, created = ensure_demo_tenant()
    assert created
    connection.set_tenant(tenant)
    assert Customer.objects.count() > 500
    mrr = KpiValue.objects.filter(kpi="mrr", value__isnull=False).count()
    assert mrr >= 24  # two years of months with MRR
    assert KpiValue.objects.filter(kpi="nps", value__isnull=False).exists()
    assert KpiValue.objects.filter(kpi="csat", value__isnull=False).count() >= 23
    assert set(Goal.objects.values_list("kpi", flat=True)) == {"customer_churn_rate", "mrr"}
    # This month up to yesterday (the dashboard opens on the month to date), nothing later:
    # churns and plan changes wait for the month's end.
    today, this_month = date.today(), date.today().replace(day=1)
    assert not Invoice.objects.filter(date__gte=today).exists()
    assert not Subscription.objects.filter(end_date__gt=this_month).exists()
    assert not Subscription.objects.filter(start_date__gte=today).exists()
    if today.day > 2:  # a day or more of this month: its traffic is in
        assert TrafficDay.objects.filter(date__gte=this_month).exists()
    connection.set_schema_to_public()

    client = Client(HTTP_HOST="demo.localhost")
    client.post("/accounts/login/", {"username": DEMO_EMAIL, "password": DEMO_PASSWORD})
    page = client.get("/").content.decode()
    assert "Monthly recurring revenue" in page and "data-sparkline" in page
    assert ensure_demo_tenant() == (tenant, False)  # idempotent
