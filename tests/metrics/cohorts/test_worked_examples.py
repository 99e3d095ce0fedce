"""docs/cohorts.md's worked example, hand-computed, figure by figure: each metric of
each cohort and the column averages."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection

from metrics.cohorts import selectors
from tests.metrics.cohorts.example import APR, FEB, JAN, build


def matrix(by: str = "first_paid_month", first=JAN, last=APR) -> selectors.Matrix:
    return selectors.matrix(by=by, first=first, last=last, currency=connection.tenant.currency,
                            timezone=connection.tenant.timezone, data_first=JAN)


def numbers(values):
    return [[None if v is None else Decimal(v) for v in row] for row in values]


def test_the_january_cohort_has_four_customers_and_400_of_mrr_february_one_and_200(in_acme):
    build()
    cohorts = matrix().cohorts
    assert [(c.month, c.size, c.start_mrr) for c in cohorts] == [(JAN, 4, Decimal(400)), (FEB, 1, Decimal(200))]


def test_customer_retention_is_the_share_still_paying_and_a_returning_customer_counts_again(in_acme):
    build()
    assert numbers(matrix().values("customer_retention")) == [[100, 75, 75, 100], [100, 100, 100]]


def test_net_mrr_retention_counts_expansion_contraction_and_churn(in_acme):
    build()
    # January: 400 -> 350 (B gone, C +50) -> 310 (D -40) -> 410 (B back).
    assert numbers(matrix().values("mrr_retention")) == [
        [100, Decimal("87.5"), Decimal("77.5"), Decimal("102.5")], [100, 100, 100]]


def test_gross_mrr_retention_caps_each_customer_at_its_start_mrr(in_acme):
    build()
    # C's expansion is not counted: 100 + 100 + 100 = 300, then 100 + 100 + 60, then + B's 100.
    assert numbers(matrix().values("gross_mrr_retention")) == [[100, 75, 65, 90], [100, 100, 100]]


def test_arpu_is_the_cohort_mrr_over_its_customers_paying_then(in_acme):
    build()
    assert numbers(matrix().values("arpu")) == [
        [100, Decimal("116.6667"), Decimal("103.3333"), Decimal("102.5")], [200, 200, 200]]


def test_column_averages_pool_the_cohorts_that_reached_the_month(in_acme):
    build()
    built = matrix()
    assert numbers([built.averages("customer_retention")]) == [[100, 80, 80, 100]]
    # Month 1: (350 + 200) / (400 + 200).
    assert numbers([built.averages("mrr_retention")]) == [
        [100, Decimal("91.6667"), Decimal("85"), Decimal("102.5")]]
    assert numbers([built.averages("arpu")]) == [[120, Decimal("137.5"), Decimal("127.5"), Decimal("102.5")]]


def test_by_signup_month_a_cohort_starts_with_who_signed_up_paying_or_not(in_acme):
    build()
    built = matrix(by="signup_month", first=JAN.replace(year=2024, month=12), last=APR)
    dec, jan = built.cohorts
    # January: C, D and E signed up; E pays from February only.
    assert (dec.size, dec.start_mrr, jan.size, jan.start_mrr) == (2, 0, 3, Decimal(200))
    # December: A and B signed up, nobody paid yet; both pay at the end of January.
    assert numbers(built.values("customer_retention"))[0] == [0, 100, 50, 50, 100]
    assert built.values("mrr_retention")[0][0] is None  # no MRR at its start to keep
    assert numbers(built.values("customer_retention"))[1] == [Decimal("66.6667"), 100, 100, 100]


def test_the_cohorts_asked_for_only_but_followed_to_the_last_month(in_acme):
    build()
    built = matrix(first=FEB, last=APR)
    assert [(c.month, len(c.cells)) for c in built.cohorts] == [(FEB, 3)]


def test_money_in_another_currency_moves_with_its_rate_and_gross_retention_caps_the_rise(in_acme):
    from tests.metrics.kpis.builders import customer, fx_rate, subscription

    subscription(customer(name="F"), JAN.replace(day=5), currency="EUR")
    for month, rate in ((JAN, "1.10"), (FEB, "1.20"), (FEB.replace(month=3), "1.00")):
        fx_rate("EUR", month, rate)
    built = matrix(last=FEB.replace(month=3))
    assert built.cohorts[0].start_mrr == Decimal(110)
    assert numbers(built.values("mrr_retention")) == [[100, Decimal("109.0909"), Decimal("90.9091")]]
    assert numbers(built.values("gross_mrr_retention")) == [[100, 100, Decimal("90.9091")]]
    assert numbers(built.values("arpu")) == [[110, 120, 100]]
