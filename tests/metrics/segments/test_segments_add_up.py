"""Properties of segment figures over random histories (hypothesis): segments of a
partition add up to the whole company, and a filter matching everyone is no filter."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings

from metrics.kpis.registry import tenant_kpis
from metrics.models import KpiValue
from metrics.segments.engine import CANNOT_FOLLOW, segment_results
from metrics.segments.filters import parse_filter
from tests.metrics.kpis.builders import recompute
from tests.metrics.segments.histories import COUNTRIES, PLANS, histories as history_of, write_history

MOVEMENTS = ("new_mrr", "reactivation_mrr", "expansion_mrr", "contraction_mrr", "churned_mrr", "net_new_mrr")
TOLERANCE = Decimal("1e-8")

histories = history_of(customers=6, start_days=500, subscriptions=12)


def insert(countries, rows) -> None:
    write_history(countries, rows, prefix="p")


def segment(text: str, *, reasons: bool = False) -> dict:
    coverage = KpiValue.objects.order_by("month")
    first, last = coverage.first().month, coverage.last().month
    tenant = connection.tenant
    results = segment_results(customer_filter=parse_filter(text), kpis=tenant_kpis(), first=first, last=last,
                              currency=tenant.currency, timezone=tenant.timezone)
    return {(r.kpi, r.month): (r.value, r.reason) if reasons else r.value for r in results}


def whole() -> dict:
    return {(v.kpi, v.month): v.value for v in KpiValue.objects.all()}


def total(parts: list[dict], key) -> Decimal:
    return sum((part.get(key) or Decimal(0) for part in parts), Decimal(0))


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=histories)
def test_countries_mrr_and_every_movement_add_up_to_the_company(in_acme, history):
    with transaction.atomic():
        insert(*history)
        recompute()
        company = whole()
        parts = [segment(f"country:{country}") for country in COUNTRIES]
        for (kpi, month), value in company.items():
            if kpi in ("mrr", *MOVEMENTS, "customers"):
                assert abs(total(parts, (kpi, month)) - (value or 0)) < TOLERANCE, (kpi, month)
        transaction.set_rollback(True)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=histories)
def test_plans_mrr_and_net_new_mrr_add_up_and_everyone_is_no_filter(in_acme, history):
    # A plan filter keeps the subscriptions on the plan: a customer moving from basic to
    # pro is churn in one and new in the other, so only MRR and its net change add up.
    with transaction.atomic():
        insert(*history)
        recompute()
        company = whole()
        parts = [segment(f"plan:{plan}") for plan in PLANS]
        for (kpi, month), value in company.items():
            if kpi in ("mrr", "net_new_mrr"):
                assert abs(total(parts, (kpi, month)) - (value or 0)) < TOLERANCE, (kpi, month)
        for everyone in ("country:" + "|".join(COUNTRIES), "plan:" + "|".join(PLANS)):
            answers = segment(everyone, reasons=True)
            assert answers.keys() == company.keys()
            unfollowed = {kpi for (kpi, _), (_, reason) in answers.items() if reason == CANNOT_FOLLOW}
            assert unfollowed.isdisjoint({"mrr", "customers", "arpu", "ltv", "revenue", *MOVEMENTS})
            for key, (value, reason) in answers.items():
                if reason != CANNOT_FOLLOW:
                    assert (value is None) == (company[key] is None), key
                    assert value is None or abs(value - company[key]) < TOLERANCE, key
        transaction.set_rollback(True)
