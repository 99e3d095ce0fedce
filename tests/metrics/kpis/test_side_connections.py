"""The recompute's statements side by side on several connections (side_connections.py):
the same numbers as one connection computing alone, errors that surface, and no side
connection where it could not see the caller's data."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import psycopg
import pytest
from django.db import connection, transaction

from metrics.kpis.engine import side_connections
from metrics.models import KpiValue
from tests.metrics.kpis.builders import (customers, fx_rate, invoice, recompute, subscription,
                                 subscriptions_for, ticket)
from tests.support.tenants import company_of_its_own

UTC = ZoneInfo("UTC")


@pytest.fixture
def side_connections_opened(monkeypatch):
    """How many side connections the code under test opened (the real ones)."""
    opened = []
    real = side_connections._on_side_connection

    def counted(*args):
        opened.append(args)
        return real(*args)

    monkeypatch.setattr(side_connections, "_on_side_connection", counted)
    return opened


@pytest.fixture
def company(django_db_setup, committed_db):
    """A company of its own whose rows are committed, so other connections see them."""
    with company_of_its_own("side") as made:
        yield made.tenant


def some_of_everything() -> None:
    """Movements of every kind, in the reporting currency, in one foreign currency and in
    two (the customers handled month by month), with refunds and tickets."""
    fx_rate("EUR", date(2025, 1, 1), "1.10")
    fx_rate("EUR", date(2025, 3, 1), "1.20")
    fx_rate("GBP", date(2025, 1, 1), "1.30")
    home, euro, both, back = (customers(n) for n in (6, 4, 2, 2))
    subscriptions_for(home[:4], date(2025, 1, 1))
    subscriptions_for(home[4:], date(2025, 1, 1), date(2025, 3, 1))
    subscription(home[0], date(2025, 2, 1), amount="50")  # expansion
    subscriptions_for(euro, date(2025, 1, 1), currency="EUR", amount="80")
    subscription(euro[0], date(2025, 1, 1), date(2025, 4, 1), currency="EUR", amount="20")
    for person in both:
        subscription(person, date(2025, 1, 1), date(2025, 5, 1), currency="EUR")
        subscription(person, date(2025, 2, 1), currency="GBP", amount="30")
    subscriptions_for(back, date(2025, 1, 1), date(2025, 2, 1))
    subscriptions_for(back, date(2025, 4, 1))  # reactivation
    for day, amount in ((date(2025, 1, 5), "100"), (date(2025, 2, 5), "250"), (date(2025, 2, 9), "-40"),
                        (date(2025, 3, 1), "0")):
        invoice(day, amount)
    ticket(datetime(2025, 2, 3, 9, tzinfo=UTC), first_response=datetime(2025, 2, 3, 11, tzinfo=UTC),
           resolved=datetime(2025, 3, 1, 9, tzinfo=UTC))


def stored_values() -> dict:
    return {(row.kpi, row.month): (row.value, row.inputs, row.reason) for row in KpiValue.objects.all()}


def test_side_by_side_gives_exactly_what_one_connection_gives(company, settings, side_connections_opened):
    connection.set_tenant(company)
    some_of_everything()

    settings.KPIHUB_KPI_CONNECTIONS = 1
    recompute()
    alone = stored_values()
    assert side_connections_opened == []

    settings.KPIHUB_KPI_CONNECTIONS = 3  # two side connections, customers in three shards
    recompute()
    assert len(side_connections_opened) == 2
    assert stored_values() == alone
    assert alone[("mrr", date(2025, 5, 1))][0] is not None


def test_an_error_on_a_side_connection_reaches_the_caller(company, settings):
    connection.set_tenant(company)
    settings.KPIHUB_KPI_CONNECTIONS = 2
    # The slow one keeps this connection busy until the side connection has opened and
    # taken the broken one, even on a loaded machine (opening one can take a second).
    statements = [("slow", "SELECT pg_sleep(3) IS NULL AS slept", {}),
                  ("broken", "SELECT * FROM no_such_table", {})]
    with transaction.atomic():
        with pytest.raises(psycopg.errors.UndefinedTable):
            side_connections.run_all(statements)
        with connection.cursor() as cursor:  # the caller's own transaction is still usable
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)


def test_no_side_connection_when_the_transaction_has_written(in_acme, settings, side_connections_opened):
    """A test case's rows (like an import's) are not committed: another connection would
    not see them, so the caller's connection computes everything."""
    settings.KPIHUB_KPI_CONNECTIONS = 3
    subscriptions_for(customers(3), date(2025, 1, 1))
    summary = recompute()
    assert side_connections_opened == []
    assert summary.values > 0
    assert KpiValue.objects.get(kpi="mrr", month=date(2025, 1, 1)).value == 300
