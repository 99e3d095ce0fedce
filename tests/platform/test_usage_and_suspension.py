"""The platform admin (issue 17, item 10): each company's usage on one page (rows by
kind, imports, the last recompute, stored file bytes, last activity) read in one query;
suspending and reactivating keeps its users signed in; a customer answering a survey of
a suspended company sees a neutral "this survey is closed" page."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.utils import timezone

from metrics.imports import samples
from metrics.imports.kinds import KINDS
from metrics.models import KpiCoverage
from surveys.models import SurveyResponse
from tenants.models import Tenant
from tenants.signup import sign_up
from tenants.usage import tenant_usage
from tests.metrics.imports.builders import import_file
from tests.surveys.conftest import sent_survey


@pytest.fixture
def staff(db) -> Client:
    get_user_model().objects.create_superuser("root", "root@localhost", "platform-pass-123!")
    client = Client(HTTP_HOST="localhost")
    client.force_login(get_user_model().objects.get(username="root"))
    return client


@pytest.fixture
def busy(db):
    """A company with customers and subscriptions imported, a recompute, a stored file."""
    result = sign_up(company_name="Busy Co", slug="busy", email="o@busy.example",
                     password="correct-horse-battery-staple")
    connection.set_tenant(result.tenant)
    for kind in ("customers", "subscriptions"):
        import_file(kind, samples.template_csv(KINDS[kind]), name=f"{kind}.csv")
    KpiCoverage.objects.create(computed_at=timezone.now() - timedelta(hours=1), duration_ms=4321)
    connection.set_schema_to_public()
    folder = Path(settings.MEDIA_ROOT) / result.tenant.schema_name / "usage-test"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.bin").write_bytes(b"x" * 1500)
    Tenant.objects.filter(pk=result.tenant.pk).update(last_activity_at=timezone.now())
    yield Tenant.objects.get(pk=result.tenant.pk)
    (folder / "a.bin").unlink()
    folder.rmdir()


def test_usage_counts_rows_by_kind_imports_recompute_and_file_bytes_in_one_query(busy, django_assert_num_queries):
    with django_assert_num_queries(1):
        usage = tenant_usage(busy)
    assert usage.rows["customers"] >= 2 and usage.rows["subscriptions"] == 2
    assert usage.rows["invoices"] == 0 and set(usage.rows) == set(KINDS)
    assert usage.imports == 2
    assert usage.recompute_ms == 4321 and usage.recomputed_at is not None
    assert usage.file_bytes >= 1500 + sum(len(samples.template_csv(KINDS[k])) for k in ("customers", "subscriptions"))
    assert usage.last_activity_at is not None


def test_the_usage_page_shows_them_and_the_list_links_to_it(staff, busy):
    listing = staff.get("/admin/tenants/tenant/").content.decode()
    assert f"/admin/tenants/tenant/{busy.pk}/usage/" in listing
    page = staff.get(f"/admin/tenants/tenant/{busy.pk}/usage/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-usage-kind="subscriptions">2<' in html
    assert 'data-usage="imports">2<' in html
    assert "4321 ms" in html and "bytes" in html
    assert staff.get("/admin/tenants/tenant/999999/usage/").status_code == 404


def test_only_platform_staff_see_usage(busy):
    nobody = Client(HTTP_HOST="localhost")
    assert nobody.get(f"/admin/tenants/tenant/{busy.pk}/usage/").status_code == 302  # to the admin's login
    assert nobody.post(f"/admin/tenants/tenant/{busy.pk}/restore/").status_code == 302


def test_suspending_and_reactivating_keeps_users_signed_in(staff, acme):
    connection.set_tenant(acme.tenant)
    browser = Client(HTTP_HOST=acme.host)
    browser.force_login(get_user_model().objects.get(username=acme.owner_email))
    cookie = browser.cookies[settings.SESSION_COOKIE_NAME].value
    connection.set_schema_to_public()
    assert browser.get("/").status_code == 200

    staff.post("/admin/tenants/tenant/", {"action": "suspend", "_selected_action": [acme.tenant.pk]})
    suspended = browser.get("/")
    assert suspended.status_code == 403 and b"suspended" in suspended.content

    staff.post("/admin/tenants/tenant/", {"action": "reactivate", "_selected_action": [acme.tenant.pk]})
    again = browser.get("/")
    assert again.status_code == 200  # not redirected to the login: the same session
    assert browser.cookies[settings.SESSION_COOKIE_NAME].value == cookie


def test_a_respondent_of_a_suspended_company_sees_a_closed_survey(db, acme):
    connection.set_tenant(acme.tenant)
    survey, recipients = sent_survey(customers=1, name="Suspended NPS")
    connection.set_schema_to_public()
    Tenant.objects.filter(pk=acme.tenant.pk).update(status=Tenant.Status.SUSPENDED)
    customer = Client(HTTP_HOST=acme.host)

    page = customer.get(f"/s/{recipients[0].token}/?score=9")
    html = page.content.decode()
    assert page.status_code == 200
    assert "This survey is closed" in html and "Acme Analytics" in html
    assert "support" not in html.lower() and "suspended" not in html.lower() and "KPI Hub" not in html

    answer = customer.post(f"/s/{recipients[0].token}/", {"score": "9"})
    assert answer.status_code == 200 and "This survey is closed" in answer.content.decode()
    unknown = customer.get("/s/not-a-token/")
    assert unknown.status_code == 200 and "This survey is closed" in unknown.content.decode()
    connection.set_tenant(acme.tenant)
    assert not SurveyResponse.objects.filter(survey=survey).exists()
