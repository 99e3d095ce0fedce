"""Properties of the cohort matrix over random subscription histories (hypothesis):
every cohort starts at 100 %, gross retention never exceeds net nor 100 %, and the
cohorts together are the engine's paying customers and MRR of every month, so a
reactivated customer is counted once, in its first cohort."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings

from metrics.cohorts import selectors
from metrics.models import KpiValue
from metrics.months import add_months
from tests.metrics.kpis.builders import recompute
from tests.metrics.kpis.test_properties import FIRST, insert, subscription_rows

LAST = add_months(FIRST, 23)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=subscription_rows)
def test_every_cohort_starts_at_100_percent_and_together_they_are_the_engines_customers(in_acme, rows):
    with transaction.atomic():
        insert(rows)
        recompute()
        matrix = selectors.matrix(by="first_paid_month", first=FIRST, last=LAST, currency="USD",
                                  timezone=connection.tenant.timezone, data_first=FIRST)
        for cohort, retention, net, gross in zip(matrix.cohorts, matrix.values("customer_retention"),
                                                 matrix.values("mrr_retention"), matrix.values("gross_mrr_retention")):
            assert retention[0] == 100 and net[0] == 100 and gross[0] == 100
            assert cohort.size == cohort.cells[0].paying > 0
            for net_k, gross_k in zip(net, gross):
                assert 0 <= gross_k <= 100 and gross_k <= net_k
        months = {cell.month for cohort in matrix.cohorts for cell in cohort.cells}
        stored = {(v.kpi, v.month): v.value for v in KpiValue.objects.filter(kpi__in=["mrr", "customers"])}
        compared = 0
        for month in sorted(months):
            if ("mrr", month) not in stored:
                continue
            compared += 1
            cells = [cell for cohort in matrix.cohorts for cell in cohort.cells if cell.month == month]
            assert sum(cell.paying for cell in cells) == stored["customers", month]
            assert abs(sum(cell.mrr12 for cell in cells) / 12 - stored["mrr", month]) < Decimal("1e-6")
        assert compared or not matrix.cohorts
        transaction.set_rollback(True)
