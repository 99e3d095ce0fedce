"""Issue 4's on-demand recompute with a real worker: the API answers 202 with a job,
the worker computes in the company's own schema, the job succeeds, and the API then
serves the numbers; a second company's request computes only its own."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from metrics.models import KpiValue
from tenants.signup import tenant_domain
from tests.conftest import host_client
from tests.metrics.kpis.builders import customers, subscriptions_for
from tests.support.tenants import company_of_its_own
from tests.support.waiting import wait_for_job

pytestmark = pytest.mark.worker


@pytest.fixture
def companies(committed_db):
    """Two companies of their own (committed, for the worker); dropped afterwards."""
    with company_of_its_own("rc") as first, company_of_its_own("rc") as second:
        yield [first, second]


def test_recompute_on_demand_runs_on_the_worker_and_the_api_serves_the_result(worker, companies):
    company, other = companies
    tenant = company.tenant
    connection.set_tenant(tenant)
    # 10 customers paying 100 a month since January 2025; 2 of them leave at the end of March.
    people = customers(10)
    subscriptions_for(people[:8], date(2025, 1, 1))
    subscriptions_for(people[8:], date(2025, 1, 1), date(2025, 4, 1))
    connection.set_schema_to_public()

    api = host_client(tenant_domain(tenant.slug), company.token)
    assert api.get("/api/v1/kpis/mrr/?period=2025-04").json()["value"] is None  # nothing computed yet

    answer = api.post("/api/v1/kpis/recompute/")
    assert answer.status_code == 202, answer.content
    job = wait_for_job(answer.json()["job_id"], tenant, timeout=60)
    connection.set_schema_to_public()
    assert job.status == "succeeded", job.error
    assert api.get(f"/api/v1/jobs/{job.pk}/").json()["status"] == "succeeded"

    mrr, churn = (api.get(f"/api/v1/kpis/{key}/?period=2025-04").json() for key in ("mrr", "customer_churn_rate"))
    assert mrr["value"] == 800
    assert churn["value"] == 20  # 2 of the 10 customers at the start of April churned in it
    assert api.get("/api/v1/kpis/mrr/?period=2025-03").json()["value"] == 1000

    connection.set_tenant(other.tenant)
    assert not KpiValue.objects.exists()  # the other company's schema was not touched
    connection.set_schema_to_public()
    other_api = host_client(tenant_domain(other.tenant.slug), other.token)
    assert other_api.get(f"/api/v1/jobs/{job.pk}/").status_code == 404
