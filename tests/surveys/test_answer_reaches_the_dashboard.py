"""Issue 7's whole path with a real worker and a real SMTP sink: a company sends an NPS
survey, the e-mail arrives, a customer answers in one click plus a comment, the worker
recomputes the KPIs, and the NPS card, the KPI page and the survey page show it."""

from __future__ import annotations

import re
import uuid

import pytest
from django.db import connection
from django.test import Client

from metrics.months import current_month, format_period
from metrics.models import Customer, KpiValue
from tenants.signup import tenant_domain
from tests.conftest import host_client
from tests.support.smtp import text_of
from tests.support.tenants import company_of_its_own
from tests.support.waiting import wait_until

pytestmark = pytest.mark.worker
PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def company(committed_db):
    """A company of its own (committed, for the worker); dropped afterwards."""
    with company_of_its_own("nps", company_name="Answer Path Ltd", password=PASSWORD) as result:
        yield result


def test_an_answer_shows_on_the_nps_card_the_kpi_page_and_the_survey_page(worker, worker_mailbox, company):
    tenant, host = company.tenant, tenant_domain(company.tenant.slug)
    connection.set_tenant(tenant)
    email = f"ada-{uuid.uuid4().hex[:6]}@customers.example"
    Customer.objects.create(customer_id="c-ada", name="Ada", email=email)
    connection.set_schema_to_public()

    api = host_client(host, company.token)
    created = api.post("/api/v1/surveys/", {"type": "nps", "name": "How are we doing?", "throttle_days": 0,
                                            "audience": {"customer_ids": ["c-ada"]}}, format="json")
    assert created.status_code == 201, created.content
    survey_id = created.json()["id"]
    assert api.post(f"/api/v1/surveys/{survey_id}/send/").status_code == 202

    message = wait_until(lambda: next((m for m in worker_mailbox.messages if m["To"] == email), None),
                         what="the invitation e-mail")
    link = re.search(r"https?://[^/\s]+(/s/[^\s?]+/)\?score=10", text_of(message))
    assert link, text_of(message)
    customer = Client(HTTP_HOST=host)
    page = customer.get(f"{link.group(1)}?score=10")  # one click in the e-mail
    assert page.status_code == 200
    answered = customer.post(link.group(1), {"csrfmiddlewaretoken": customer.cookies["csrftoken"].value,
                                             "score": "10", "comment": "Clear numbers"})
    assert answered.status_code == 302

    month = current_month(tenant.timezone)

    def nps_stored():
        connection.set_tenant(tenant)
        row = KpiValue.objects.filter(kpi="nps", month=month, value__isnull=False).first()
        connection.set_schema_to_public()
        return row

    assert wait_until(nps_stored, what="the recompute after the answer").value == 100  # the worker recomputed after the answer

    owner = Client(HTTP_HOST=host)
    owner.post("/accounts/login/", {"username": f"owner@{tenant.slug}.example", "password": PASSWORD})
    dashboard = owner.get(f"/?month={format_period(month)}").content.decode()
    card = dashboard.split('data-kpi="nps"', 1)[1].split("</li>", 1)[0]
    assert 'class="kpi-card__value">100<' in card
    kpi_page = owner.get(f"/kpis/nps/?month={format_period(month)}").content.decode()
    assert "1 promoters, 0 passives and 0 detractors" in kpi_page
    survey_page = owner.get(f"/surveys/{survey_id}/").content.decode()
    assert "Clear numbers" in survey_page and "100" in survey_page
