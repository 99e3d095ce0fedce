"""Properties of the subscription KPIs over random histories (hypothesis), checked
against a brute-force reading of the catalog's definitions: every customer, every
month end, every subscription."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from hypothesis import HealthCheck, given, settings, strategies as st

from metrics.months import add_months, end_of, month_range
from metrics.models import Customer, KpiValue, Subscription
from tests.metrics.kpis.builders import NOW, recompute

FIRST = date(2024, 1, 1)
LAST_MONTH = date(2025, 6, 1)  # the builders' "now"
FACTORS = {"month": Decimal(1), "quarter": Decimal(1) / 3, "year": Decimal(1) / 12, "week": Decimal(52) / 12}
TOLERANCE = Decimal("1e-8")

subscription_rows = st.lists(st.tuples(
    st.integers(0, 5),                                   # customer
    st.integers(0, 500),                                 # start: days after FIRST
    st.one_of(st.none(), st.integers(1, 300)),           # length in days (None: no end)
    st.sampled_from(["0", "9.99", "10", "25.50", "100", "1200"]),
    st.sampled_from(list(FACTORS)),
    st.integers(1, 3),                                   # quantity
), min_size=1, max_size=12)


def movements(rows, money) -> dict[date, dict]:
    """Per month, straight from the definitions: MRR, customers and each movement, as
    money and as how many customers moved. ``rows`` are (customer, start, length in days
    or None, ...); ``money(row, month)`` is a live row's monthly money x 12 in that month,
    or None to leave the row out."""
    ends = [start + timedelta(days=length) for _, start, length, *_ in rows if length]
    months = month_range(date(2023, 12, 1), max([LAST_MONTH, *ends]).replace(day=1))
    cmrr = {}
    for month in months:
        day = end_of(month)
        for person in range(6):
            live = [row for row in rows if row[0] == person and row[1] <= day
                    and (row[2] is None or row[1] + timedelta(days=row[2]) > day)]
            cmrr[person, month] = sum((value for row in live if (value := money(row, month)) is not None),
                                      Decimal(0))
    result = {}
    for month in months[1:]:
        before = add_months(month, -1)
        figures = dict.fromkeys(["new", "reactivation", "expansion", "contraction", "churned"], Decimal(0))
        counts = dict.fromkeys(figures, 0)
        for person in range(6):
            now, then = cmrr[person, month], cmrr[person, before]
            earlier = any(cmrr[person, m] > 0 for m in months if m < before)
            kind = None
            if now > 0 and then == 0:
                kind = "reactivation" if earlier else "new"
                figures[kind] += now
            elif now > 0 and then > 0 and now != then:
                kind = "expansion" if now > then else "contraction"
                figures[kind] += abs(now - then)
            elif then > 0 and now == 0:
                kind = "churned"
                figures[kind] += then
            if kind:
                counts[kind] += 1
        figures["mrr"] = sum(cmrr[person, month] for person in range(6))
        figures["customers"] = sum(1 for person in range(6) if cmrr[person, month] > 0)
        result[month] = {"money": figures, "counts": counts}
    return result


def reference(rows) -> dict[date, dict]:
    """Rows in the reporting currency: (customer, start, length, amount, interval, quantity)."""
    return movements(rows, lambda row, month: Decimal(row[3]) * row[5] * FACTORS[row[4]])


def insert(rows) -> list:
    people = Customer.objects.bulk_create([Customer(customer_id=f"p{index}") for index in range(6)])
    built = []
    for index, (who, offset, length, amount, interval, quantity) in enumerate(rows):
        start = FIRST + timedelta(days=offset)
        built.append((who, start, length, amount, interval, quantity))
        Subscription.objects.create(
            subscription_id=f"prop{index}", customer=people[who], amount=Decimal(amount),
            interval=interval, quantity=quantity, start_date=start,
            end_date=start + timedelta(days=length) if length else None)
    return built


def values() -> dict[tuple[str, date], KpiValue]:
    return {(v.kpi, v.month): v for v in KpiValue.objects.all()}


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=subscription_rows)
def test_subscription_kpis_match_the_definitions_and_keep_their_invariants(in_acme, rows):
    with transaction.atomic():
        built = insert(rows)
        recompute()
        stored = values()
        expected = reference(built)
        months = sorted({month for _, month in stored})
        for month in months:
            want = expected[month]["money"]
            got = {key: stored[key, month].value for key in
                   ("mrr", "customers", "new_mrr", "reactivation_mrr", "expansion_mrr",
                    "contraction_mrr", "churned_mrr", "net_new_mrr")}
            for key, reference_key in (("mrr", "mrr"), ("new_mrr", "new"), ("reactivation_mrr", "reactivation"),
                                       ("expansion_mrr", "expansion"), ("contraction_mrr", "contraction"),
                                       ("churned_mrr", "churned")):
                assert abs(got[key] - want[reference_key]) < TOLERANCE, (key, month)
            assert got["customers"] == want["customers"]
            # net new MRR is the change of MRR, month after month.
            previous = expected[add_months(month, -1)]["money"]["mrr"] if add_months(month, -1) in expected else 0
            assert abs(got["net_new_mrr"] - (want["mrr"] - previous)) < TOLERANCE
            churn = stored["customer_churn_rate", month].value
            retention = stored["customer_retention_rate", month].value
            if churn is None:
                assert retention is None and stored["customer_churn_rate", month].reason
            else:
                # Everyone at the start either churned or is still there: the two add up.
                assert abs(churn + retention - 100) < TOLERANCE
                assert 0 <= churn <= 100 and 0 <= retention <= 100
            gross = stored["gross_mrr_churn_rate", month].value
            if gross is not None:
                assert 0 <= gross <= 100
                assert stored["net_revenue_retention", month].value >= 0
        recompute()
        assert values().keys() == stored.keys()
        assert all(v.value == stored[key].value and v.inputs == stored[key].inputs
                   for key, v in values().items())
        transaction.set_rollback(True)


# Money in several currencies: the reporting one (USD) and "" at rate 1, EUR and GBP with
# rates that move (up, down or not at all) and have gaps (carried forward), and CHF with
# no rate at all (left out). A customer may pay in several of them at once, so the
# movements that come from rates alone (expansion when EUR rises, contraction when it
# falls, either when EUR and GBP move apart) are checked too.
CURRENCIES = ["", "USD", "EUR", "GBP", "CHF"]
RATE_MONTHS = month_range(date(2024, 1, 1), date(2025, 6, 1))

foreign_subscription_rows = st.lists(st.tuples(
    st.integers(0, 5),                                   # customer
    st.integers(0, 500),                                 # start: days after FIRST
    st.one_of(st.none(), st.integers(1, 300)),           # length in days (None: no end)
    st.sampled_from(["9.99", "10", "25.50", "100"]),
    st.sampled_from(["month", "year", "week"]),
    st.sampled_from(CURRENCIES),
), min_size=1, max_size=12)
rate_rows = st.dictionaries(
    st.tuples(st.sampled_from(["EUR", "GBP"]), st.sampled_from(RATE_MONTHS)),
    st.sampled_from(["0.8", "1.1", "1.25"]), min_size=1, max_size=20)


def rate_on(rates: dict[tuple[str, date], Decimal], currency: str, month: date) -> Decimal | None:
    """The catalog's rule: the month's rate, else the latest earlier one, else the first."""
    if currency in ("", "USD"):
        return Decimal(1)
    known = sorted(m for c, m in rates if c == currency)
    if not known:
        return None
    earlier = [m for m in known if m <= month]
    return rates[currency, earlier[-1] if earlier else known[0]]


def foreign_reference(rows, rates) -> dict[date, dict]:
    """Rows (customer, start, length, amount, interval, currency) at the month's rate,
    carried forward; a currency with no rate at all is left out."""
    def money(row, month):
        rate = rate_on(rates, row[5], month)
        return None if rate is None else Decimal(row[3]) * FACTORS[row[4]] * rate
    return movements(rows, money)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=foreign_subscription_rows, rates=rate_rows)
def test_subscription_kpis_in_moving_currencies_match_the_definitions(in_acme, rows, rates):
    from metrics.models import FxRate

    with transaction.atomic():
        people = Customer.objects.bulk_create([Customer(customer_id=f"p{index}") for index in range(6)])
        for index, (who, offset, length, amount, interval, currency) in enumerate(rows):
            start = FIRST + timedelta(days=offset)
            rows[index] = (who, start, length, amount, interval, currency)
            Subscription.objects.create(
                subscription_id=f"fx{index}", customer=people[who], amount=Decimal(amount),
                interval=interval, quantity=1, currency=currency, start_date=start,
                end_date=start + timedelta(days=length) if length else None)
        rates = {key: Decimal(rate) for key, rate in rates.items()}
        FxRate.objects.bulk_create([FxRate(currency=c, month=m, rate=r) for (c, m), r in rates.items()])
        recompute(currency="USD")
        stored = values()
        expected = foreign_reference(rows, rates)
        for month in sorted({month for _, month in stored}):
            money, counts = expected[month]["money"], expected[month]["counts"]
            for key, reference_key in (("mrr", "mrr"), ("new_mrr", "new"), ("reactivation_mrr", "reactivation"),
                                       ("expansion_mrr", "expansion"), ("contraction_mrr", "contraction"),
                                       ("churned_mrr", "churned")):
                assert abs(stored[key, month].value - money[reference_key]) < TOLERANCE, (key, month)
            assert stored["customers", month].value == money["customers"], month
            assert stored["reactivated_customers", month].value == counts["reactivation"], month
            assert stored["churned_customers", month].value == counts["churned"], month
            assert stored["expansion_mrr", month].inputs["expanded_customers"] == counts["expansion"], month
            assert stored["contraction_mrr", month].inputs["contracted_customers"] == counts["contraction"], month
        transaction.set_rollback(True)
