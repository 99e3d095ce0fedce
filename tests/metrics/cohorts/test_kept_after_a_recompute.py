"""A cohort matrix is kept under the recompute it followed (selectors.matrix): read
again, it is not computed again; after new data and its recompute, the new figures are
shown, never the kept ones; and each recompute queues the default matrices' computing."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics.cohorts import selectors
from metrics.cohorts import tasks as cohort_tasks
from metrics.cohorts.choices import choose
from metrics.kpis import compute
from metrics.kpis import tasks as kpi_tasks
from tests.metrics.cohorts.example import build
from tests.metrics.kpis.builders import customer, subscription

JAN, APR = date(2025, 1, 1), date(2025, 4, 1)


def january_to_april():
    tenant = connection.tenant
    return selectors.matrix(by="first_paid_month", first=JAN, last=APR, currency=tenant.currency,
                            timezone=tenant.timezone, data_first=JAN)


def test_a_matrix_read_again_after_a_recompute_is_not_computed_again(in_acme):
    build()
    compute.recompute_kpis()
    first = january_to_april()
    with CaptureQueriesContext(connection) as queries:
        again = january_to_april()
    assert again == first
    assert len(queries) == 1, [q["sql"][:80] for q in queries]  # the recompute's time, nothing else


def test_new_data_shows_once_its_recompute_ran_never_the_kept_matrix(in_acme):
    build()
    compute.recompute_kpis()
    assert [c.size for c in january_to_april().cohorts] == [4, 1]
    subscription(customer(name="F"), date(2025, 3, 2), amount="70")
    compute.recompute_kpis()
    after = january_to_april()
    assert [(c.month, c.size) for c in after.cohorts] == [(JAN, 4), (date(2025, 2, 1), 1), (date(2025, 3, 1), 1)]
    assert after == selectors.compute_matrix(by="first_paid_month", first=JAN, last=APR, currency="USD",
                                             timezone=connection.tenant.timezone, data_first=JAN)


def test_before_any_recompute_nothing_is_kept(in_acme):
    build()
    january_to_april()
    subscription(customer(name="F"), date(2025, 3, 2), amount="70")
    assert len(january_to_april().cohorts) == 3


def test_each_recompute_queues_the_default_matrices(in_acme, monkeypatch):
    queued = []
    monkeypatch.setattr(cohort_tasks.compute_default_matrices, "delay", lambda: queued.append("cohorts"))
    build()
    assert "values" in kpi_tasks.recompute_kpis.run()
    assert queued == ["cohorts"]


def test_the_default_matrices_computed_ahead_are_the_ones_the_page_reads(in_acme):
    build()
    compute.recompute_kpis()
    assert cohort_tasks.compute_default_matrices.run() == 2  # by first paid month and by sign-up month

    choice = choose({}, timezone=connection.tenant.timezone)
    with CaptureQueriesContext(connection) as queries:
        selectors.matrix(by=choice.by, first=choice.first, last=choice.last, currency=connection.tenant.currency,
                         timezone=connection.tenant.timezone, data_first=choice.data_first)
    assert len(queries) == 1
