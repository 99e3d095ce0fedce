"""The home dashboard: KPI cards for a month from stored values, in a fixed number of
queries; a new company sees what to do first."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from metrics.months import add_months
from metrics.models import Goal, KpiCoverage, KpiValue
from metrics.segments.selectors import filter_suggestions


def store(kpi: str, values: dict[date, str]) -> None:
    KpiValue.objects.bulk_create([KpiValue(kpi=kpi, month=m, value=Decimal(v), computed_at=timezone.now())
                                  for m, v in values.items()])


@pytest.fixture
def computed(acme, db):
    connection.set_tenant(acme.tenant)
    first, last = date(2025, 1, 1), date(2025, 12, 1)
    KpiCoverage.objects.create(pk=1, first_month=first, last_month=last, computed_at=timezone.now())
    store("mrr", {add_months(first, i): str(1000 + 100 * i) for i in range(12)})
    store("customer_churn_rate", {date(2025, 11, 1): "6.0", date(2025, 12, 1): "4.5"})
    connection.set_schema_to_public()
    return last


def test_new_company_sees_the_getting_started_checklist(owner):
    page = owner.get("/").content.decode()
    assert "Import your customers" in page and "Import subscriptions" in page
    assert 'href="/imports/?kind=customers"' in page


def test_cards_show_value_change_in_the_kpis_direction_and_benchmark(owner, computed):
    page = owner.get("/").content.decode()
    assert "December 2025" in page
    assert "Monthly recurring revenue" in page and "2,100" in page  # 1000 + 11 x 100
    assert "kpi-card__change--good" in page  # MRR up is good
    churn = page.split("Customer churn rate", 1)[1].split("</li>", 1)[0]
    assert "4.5 %" in churn and "kpi-card__change--good" in churn  # churn down is good too
    assert "healthy" in churn.lower()  # the catalog's band
    assert "Set a goal" in churn and "?kpi=customer_churn_rate" in churn
    revenue = page.split(">Revenue<", 1)[1]
    assert "No data yet: <a href=\"/imports/?kind=subscriptions\">import" in revenue  # KPIs without data say what to import


def test_month_picker_and_bad_month(owner, computed):
    page = owner.get("/?month=2025-06").content.decode()
    assert "June 2025" in page and "1,500" in page
    bad = owner.get("/?month=2025-13").content.decode()
    assert "not a month" in bad


def test_card_shows_its_goal(owner, computed, acme):
    from django.contrib.auth import get_user_model

    connection.set_tenant(acme.tenant)
    Goal.objects.create(title="Churn below 4", kpi="customer_churn_rate", target_value=4, baseline_value=6,
                        start_date=date(2025, 11, 1), deadline=date(2026, 12, 31), status="on_track",
                        owner=get_user_model().objects.get(username=acme.owner_email))
    connection.set_schema_to_public()
    churn = owner.get("/").content.decode().split("Customer churn rate", 1)[1].split("</li>", 1)[0]
    assert "Goal: On track" in churn


def test_dashboard_queries_do_not_grow_with_data(owner, computed, acme):
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(db) as captured:
            assert owner.get("/").status_code == 200
        return len([q for q in captured.captured_queries if not q["sql"].startswith("SET ")])

    connection.set_tenant(acme.tenant)
    filter_suggestions()  # read once per recompute, by whichever page comes first: not this count's business
    connection.set_schema_to_public()
    before = queries()
    connection.set_tenant(acme.tenant)
    store("arpu", {add_months(date(2024, 1, 1), i): "50" for i in range(24)})
    store("customers", {add_months(date(2024, 1, 1), i): "20" for i in range(24)})
    from django.contrib.auth import get_user_model

    owner_user = get_user_model().objects.get(username=acme.owner_email)
    Goal.objects.bulk_create([Goal(title=f"g{i}", kpi="mrr", target_value=5000, baseline_value=1000,
                                   start_date=date(2025, 1, 1), deadline=date(2026, 12, 31),
                                   owner=owner_user) for i in range(30)])
    connection.set_schema_to_public()
    assert queries() == before <= 20


def test_cards_are_rendered_once_per_version_of_the_values_goals_and_format(owner, computed, acme):
    from django.contrib.auth import get_user_model
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    def page() -> tuple[str, int]:
        with CaptureQueriesContext(db) as captured:
            response = owner.get("/")
        return response.content.decode(), len(captured.captured_queries)

    first, uncached = page()
    again, cached = page()
    main = first.split("<main", 1)[1]  # (the header carries a per-request CSRF token)
    assert again.split("<main", 1)[1] == main and cached < uncached  # the second view reads the rendered cards
    # tenant, user with membership, two-factor standing, coverage, goals, the person's
    # card layout, notifications, search paths; the filter bar's extra attributes and
    # saved segments
    assert cached <= 11, cached

    connection.set_tenant(acme.tenant)
    KpiValue.objects.filter(kpi="mrr", month=computed).update(value=Decimal("9999"))
    KpiCoverage.objects.update(computed_at=timezone.now())  # what every recompute does
    connection.set_schema_to_public()
    assert "$9,999" in page()[0]

    connection.set_tenant(acme.tenant)
    goal = Goal.objects.create(title="Churn below 4", kpi="customer_churn_rate", target_value=4, baseline_value=6,
                               start_date=date(2025, 11, 1), deadline=date(2026, 12, 31), status="on_track",
                               owner=get_user_model().objects.get(username=acme.owner_email))
    connection.set_schema_to_public()
    assert "Goal: On track" in page()[0]
    connection.set_tenant(acme.tenant)
    Goal.objects.filter(pk=goal.pk).update(status="at_risk")  # an evaluation changed it
    connection.set_schema_to_public()
    assert "Goal: At risk" in page()[0]

    acme.tenant.locale = "de-DE"
    acme.tenant.save(update_fields=["locale"])
    try:
        assert "9.999\u00a0$" in page()[0]
    finally:
        acme.tenant.locale = "en-US"
        acme.tenant.save(update_fields=["locale"])
