"""The one business operation of the engine: recompute every KPI of the current
tenant for every month with data, and store the results by upsert.

Safe to run again at any time (a rerun writes the same rows), and called alike by the
Celery task after an import, the on-demand API, the nightly sweep and the demo's
set-up. The task holds a per-tenant Redis lock so that a worker never waits for another
recompute (tasks.py); here a per-tenant PostgreSQL lock makes every other caller wait for
a running one before taking its snapshot, since two overlapping REPEATABLE READ upserts
of the same values fail with a serialization error.
"""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

import psycopg
from django.db import DatabaseError, connection
from django.db.models import Q
from django.utils import timezone as django_timezone

from metrics.kpis.engine import figures, in_window, side_connections
from metrics.kpis.evaluate import Result, evaluate
from metrics.months import Month, add_months, current_month
from metrics.kpis.registry import tenant_kpis
from metrics.models import KpiCoverage, KpiValue

RECOMPUTE_LOCK = "hashtextextended(current_schema() || ':kpi-recompute', 0)"
# Aggregating a million invoices wants room to hash and sort in memory.
SESSION_SETTINGS = ("SET LOCAL work_mem = '256MB'", "SET LOCAL jit = off")
WARNING_TEXT = {
    "subscriptions": "{n} subscriptions are in a currency without any exchange rate and are left out",
    "invoices": "{n} paid invoices are in a currency without any exchange rate and are left out",
    "expenses": "{n} expenses are in a currency without any exchange rate and are left out",
}


@dataclass
class RecomputeSummary:
    first_month: Month | None
    last_month: Month | None
    values: int = 0
    duration_ms: int = 0
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"first_month": self.first_month and self.first_month.isoformat(),
                "last_month": self.last_month and self.last_month.isoformat(),
                "values": self.values, "duration_ms": self.duration_ms, "warnings": self.warnings}


def recompute_kpis(*, now: datetime | None = None, currency: str | None = None,
                   timezone: str | None = None) -> RecomputeSummary:
    """Recompute and store every KPI of the tenant the connection is on. ``now``,
    ``currency`` and ``timezone`` default to the clock and the tenant's settings."""
    started = time.monotonic()
    tenant = connection.tenant
    currency = currency or tenant.currency
    timezone = timezone or tenant.timezone
    outermost = not connection.in_atomic_block
    # Every figure from one snapshot, which side connections share too; inside a
    # caller's transaction, the caller's.
    with _one_at_a_time(outermost), side_connections.one_snapshot(session=SESSION_SETTINGS):
        first, last = figures.data_months(timezone)
        left_out = in_window.left_out(timezone)
        if first is None:
            summary = RecomputeSummary(None, None, warnings=left_out)
            results: list[Result] = []
        else:
            last = max(last, current_month(timezone, now))
            scope = figures.Scope(add_months(first, -1), last, currency, timezone)
            month_figures, unconverted = figures.collect(scope, session=SESSION_SETTINGS)
            results = evaluate(month_figures, tenant_kpis(), first_stored=first)
            summary = RecomputeSummary(first, last, values=len(results), warnings=left_out + [
                WARNING_TEXT[family].format(n=n) for family, n in sorted(unconverted.items())])
        store(results, first=first, last=last)
        summary.duration_ms = round((time.monotonic() - started) * 1000)
        KpiCoverage.objects.update_or_create(pk=1, defaults={
            "first_month": summary.first_month, "last_month": summary.last_month,
            "computed_at": django_timezone.now(), "duration_ms": summary.duration_ms,
            "warnings": summary.warnings})
    return summary


@contextmanager
def _one_at_a_time(outermost: bool):
    """Hold the tenant's recompute lock. Outside a transaction a session lock taken
    before the snapshot, so the snapshot sees the other recompute's results; inside a
    caller's transaction (whose snapshot is taken already) a transaction lock."""
    if not outermost:
        _run(f"SELECT pg_advisory_xact_lock({RECOMPUTE_LOCK})")
        yield
        return
    _run(f"SELECT pg_advisory_lock({RECOMPUTE_LOCK})")
    try:
        yield
    finally:
        try:
            _run(f"SELECT pg_advisory_unlock({RECOMPUTE_LOCK})")
        except DatabaseError:
            pass  # the connection broke, and its lock went with it


def _run(sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql)


def store(results: list[Result], *, first: Month | None, last: Month | None) -> None:
    """Upsert the results; drop values of months or KPIs that no longer exist (data
    deleted, a custom metric gone)."""
    if results:
        encoder = KpiValue._meta.get_field("inputs").encoder
        # One statement over arrays (a row of parameters per value costs more),
        # sent in binary on a plain psycopg cursor of the same connection: Django's
        # cursor binds on the client, quoting every element of every array.
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(UPSERT.format(table=KpiValue._meta.db_table), {
                "now": django_timezone.now(), "kpis": [r.kpi for r in results],
                "months": [r.month for r in results], "values": [r.value for r in results],
                "inputs": [json.dumps(r.inputs, cls=encoder) for r in results],
                "reasons": [r.reason for r in results]})
    if first is None:
        KpiValue.objects.all().delete()
        return
    keys = {r.kpi for r in results}
    KpiValue.objects.filter(Q(month__lt=first) | Q(month__gt=last) | ~Q(kpi__in=keys)).delete()


# Only what changed is written: most of a recompute's values are those already stored
# (past months), and rewriting them would cost a new row version each.
UPSERT = """
INSERT INTO {table} (kpi, month, value, inputs, reason, computed_at)
SELECT v.kpi, v.month, v.value, v.inputs, v.reason, %(now)b
FROM unnest(%(kpis)b::text[], %(months)b::date[], %(values)b::numeric(38, 10)[], %(inputs)b::jsonb[],
            %(reasons)b::text[]) AS v (kpi, month, value, inputs, reason)
LEFT JOIN {table} AS stored ON stored.kpi = v.kpi AND stored.month = v.month
WHERE stored.id IS NULL
   OR (stored.value, stored.inputs, stored.reason) IS DISTINCT FROM (v.value, v.inputs, v.reason)
ON CONFLICT (kpi, month) DO UPDATE
SET value = EXCLUDED.value, inputs = EXCLUDED.inputs, reason = EXCLUDED.reason,
    computed_at = EXCLUDED.computed_at
"""
