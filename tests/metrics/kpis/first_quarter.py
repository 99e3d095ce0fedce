"""The first quarter of 2025 of a small company, worked out by hand in
tests/metrics/kpis/test_ranges_and_granularity.py and drawn in tests/e2e/test_kpi_ranges.py.

Ten customers pay 100 a month from 5 December 2024; one leaves in January, two in
February, one new customer in March: the quarter's customer churn rate is 3 / 10 = 30 %
(not the months' mean, 10.7 %), its MRR ends at 800. Orders of 100 and 300 in January,
50 in February; traffic, NPS answers and two tickets."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from tests.metrics.kpis.builders import (customers, invoice, recompute, subscriptions_for, survey_answers,
                                         ticket, traffic)

UTC = ZoneInfo("UTC")


def build() -> None:
    """Inserts the rows in the current tenant's schema and computes its KPIs."""
    people = customers(10)
    subscriptions_for(people[:7], date(2024, 12, 5))
    subscriptions_for(people[7:8], date(2024, 12, 5), date(2025, 1, 20))
    subscriptions_for(people[8:], date(2024, 12, 5), date(2025, 2, 10))
    subscriptions_for(customers(1), date(2025, 3, 3))
    invoice(date(2025, 1, 10), "100")
    invoice(date(2025, 1, 11), "300")
    invoice(date(2025, 2, 11), "50")
    traffic(date(2025, 1, 3), 100, conversions=4, bounces=30)
    traffic(date(2025, 2, 3), 300, conversions=2, bounces=60)
    survey_answers("nps", [10, 10, 3], datetime(2025, 1, 4, tzinfo=UTC))
    survey_answers("nps", [9, 7], datetime(2025, 2, 4, tzinfo=UTC))
    ticket(datetime(2025, 1, 5, 8, tzinfo=UTC), first_response=datetime(2025, 1, 5, 10, tzinfo=UTC),
           resolved=datetime(2025, 1, 5, 12, tzinfo=UTC))
    ticket(datetime(2025, 2, 5, 8, tzinfo=UTC), first_response=datetime(2025, 2, 5, 16, tzinfo=UTC),
           resolved=datetime(2025, 2, 6, 8, tzinfo=UTC))
    recompute()
