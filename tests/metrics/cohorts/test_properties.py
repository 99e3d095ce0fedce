"""Properties of the cohort matrix over random subscription histories (hypothesis):
every cohort starts at 100 %, gross retention never exceeds net nor 100 %, and the
cohorts together are the engine's paying customers and MRR of every month, so a
reactivated customer is counted once, in its first cohort; with a filter, one keeping
everyone is no filter, and a partition's (country's) cohorts add up to the whole's."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics.cohorts import selectors
from metrics.models import Customer, KpiValue
from metrics.months import add_months
from metrics.segments.filters import EVERYONE, parse_filter
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


COUNTRIES = st.lists(st.sampled_from(["DE", "FR", "US"]), min_size=6, max_size=6)


def _by_month(matrix: selectors.Matrix) -> dict:
    """Each cohort's size and start MRR and each of its cells' sums, by month."""
    return {cohort.month: (cohort.size, cohort.start12,
                           [(cell.month, cell.paying, cell.mrr12, cell.capped12) for cell in cohort.cells])
            for cohort in matrix.cohorts}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=subscription_rows, countries=COUNTRIES, by=st.sampled_from(list(selectors.BY)))
def test_a_filter_keeping_everyone_is_no_filter_and_a_countrys_cohorts_add_up_to_the_whole(in_acme, rows, countries, by):
    with transaction.atomic():
        insert(rows)
        for index, country in enumerate(countries):
            # Sign-up dates spread over the first months, so by=signup_month has cohorts too.
            Customer.objects.filter(customer_id=f"p{index}").update(
                country=country, signup_date=add_months(FIRST, index % 3))

        def matrix(text: str = "") -> selectors.Matrix:
            return selectors.matrix(by=by, first=FIRST, last=LAST, currency="USD", timezone=connection.tenant.timezone,
                                    data_first=FIRST, customer_filter=parse_filter(text) if text else EVERYONE)

        whole = matrix()
        present = sorted(set(countries))
        assert _by_month(matrix(f"country:{'|'.join(present)}")) == _by_month(whole)
        # Country partitions the customers: per cohort and cell, the countries' sums are the whole's.
        added: dict = {}
        for country in present:
            for month, (size, start12, cells) in _by_month(matrix(f"country:{country}")).items():
                entry = added.setdefault(month, [0, Decimal(0), {}])
                entry[0] += size
                entry[1] += start12
                for cell_month, paying, mrr12, capped12 in cells:
                    sums = entry[2].setdefault(cell_month, [0, Decimal(0), Decimal(0)])
                    sums[0] += paying
                    sums[1] += mrr12
                    sums[2] += capped12
        expected = {month: [size, start12, {m: [p, mrr, cap] for m, p, mrr, cap in cells}]
                    for month, (size, start12, cells) in _by_month(whole).items()}
        assert added == expected
        transaction.set_rollback(True)
