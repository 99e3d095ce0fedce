"""A stored date outside the window (written before imports refused them, or straight
into the database) never stops a recompute: the row is left out of the KPIs and the
recompute reports it (issue 16, finding 2: 0001-01-01 or 9999-12-31 failed every
recompute, 1900 made every series answer 400). Date query parameters outside the
window answer 400 naming it."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from metrics.kpis.compute import recompute_kpis
from metrics.models import KpiCoverage
from tests.metrics.kpis.builders import NOW, customer, invoice, recompute, subscription, value


def insert_outside_rows() -> None:
    """Rows no import lets in any more, written with SQL as a database would hold them."""
    with connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO metrics_invoice (invoice_id, date, amount, currency, status) VALUES
                ('ANCIENT', '0001-01-01', 500, '', 'paid'), ('FAR', '9999-12-31', 700, '', 'paid'),
                ('OLD', '1900-01-01', 900, '', 'paid');
            INSERT INTO metrics_customer (customer_id, name, email, channel, country, segment, is_bare)
                VALUES ('OUT', '', '', '', '', '', false);
            INSERT INTO metrics_subscription (subscription_id, customer_id, plan, amount, currency, interval,
                                              quantity, start_date, end_date)
                VALUES ('S-OLD', 'OUT', '', 50, '', 'month', 1, '1900-01-01', NULL);
            INSERT INTO metrics_ticket (ticket_id, customer_id, opened_at, first_response_at, resolved_at,
                                        channel, priority)
                VALUES ('T-FAR', '', '2024-03-01T10:00:00Z', NULL, '9999-12-31T00:00:00Z', '', '');""")


@pytest.fixture
def data_with_outside_rows(in_acme):
    buyer = customer()
    subscription(buyer, date(2024, 1, 1))
    invoice(date(2024, 1, 15), "100")
    insert_outside_rows()
    return in_acme


def test_a_recompute_leaves_the_rows_out_and_reports_them(data_with_outside_rows):
    summary = recompute()
    assert (summary.first_month, summary.last_month) == (date(2024, 1, 1), date(2025, 6, 1))
    assert value("mrr", date(2024, 1, 1)) == 100  # the 1900 subscription's 50 left out
    assert value("revenue", date(2024, 1, 1)) == 100
    warnings = " ".join(summary.warnings)
    assert "3 invoices dated outside the dates KPI Hub accepts (1990-01-01 to " in warnings
    assert "1 subscription dated outside" in warnings and "1 ticket dated outside" in warnings
    assert "is left out of the KPIs: correct or delete it on the Data page." in warnings
    assert KpiCoverage.objects.get().warnings == summary.warnings


def test_only_rows_outside_the_window_make_no_months_at_all(in_acme):
    insert_outside_rows()
    summary = recompute_kpis(now=NOW)
    assert summary.first_month is None and summary.values == 0
    assert len(summary.warnings) == 3


def test_the_recompute_job_succeeds_through_the_api(acme_owner, data_with_outside_rows):
    from jobs.models import Job
    from metrics.kpis.tasks import recompute_kpis as task

    job = Job.objects.create(kind="kpi_recompute")
    result = task.run(job_id=str(job.pk))
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert any("invoices dated outside" in warning for warning in result["warnings"])
    connection.set_schema_to_public()
    series = acme_owner.get("/api/v1/kpis/revenue/series/")
    assert series.status_code == 200, series.content
    assert series.json()["points"][0]["period"] == "2024-01"


@pytest.mark.parametrize("path", [
    "/api/v1/kpis/revenue/series/?from=1900-01", "/api/v1/kpis/revenue/series/?to=2999-12",
    "/api/v1/kpis/?period=1950-01", "/api/v1/kpis/revenue/?period=2999-12", "/api/v1/kpis/mrr/?period=1989-12",
    "/api/v1/goals/?as_of=0001-01-01", "/api/v1/goals/?as_of=9999-12-31",
    "/api/v1/data/invoices/?from=1900-01-01", "/api/v1/data/tickets/?to=9999-12-31",
])
def test_a_month_outside_the_window_is_a_400_naming_it(acme_owner, path):
    response = acme_owner.get(path)
    assert response.status_code == 400, response.content
    assert "(KPI Hub's date window" in str(response.json()) and "1990-01" in str(response.json())


def test_the_pages_say_a_month_outside_the_window_is_refused(in_acme):
    from tests.metrics.imports.test_pages import browser_for

    browser = browser_for(in_acme, in_acme.owner_email)
    connection.set_schema_to_public()
    page = browser.get("/?month=2999-12&range=all")
    assert page.status_code == 400  # the page's month parameter refused, not months up to 2999 drawn
    data = browser.get("/data/invoices/?from=0001-01-01")
    assert data.status_code == 400 and "KPI Hub&#x27;s date window" in data.content.decode()
    export = browser.get("/data/invoices/export.csv?to=9999-12-31")
    assert export.status_code == 400 and "KPI Hub's date window" in export.content.decode()
