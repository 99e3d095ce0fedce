"""Which Celery queue a task goes to (``CELERY_TASK_ROUTES``): big work on the bulk
queue, everything else on the default one.

``make run`` starts a worker for each (kpihub/dev/launcher.py), so a tenant's
million-row import, or the recompute of a tenant with a million rows, only ever
holds the bulk worker, and another tenant's small import or recompute never waits
behind it (docs/decisions.md, "Noisy neighbours"). Big is decided where the task is
sent, from what is known then: an import by its file's size, a recompute by how many
rows the tenant's schema holds (PostgreSQL's own estimate, no count). A task sent
with an explicit ``queue`` keeps it. The company export (tenants/tasks.py) and the
cohorts computed after a recompute are big as the recompute is: by the tenant's rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection

from metrics.models import DataImport

IMPORT_TASK = "metrics.imports.tasks.run_data_import"
RECOMPUTE_TASK = "metrics.kpis.tasks.recompute_kpis"
EXPORT_TASK = "tenants.tasks.export_company"  # the company export reads every row, as a recompute does
COHORTS_TASK = "metrics.cohorts.tasks.compute_default_matrices"  # reads the subscriptions, after each recompute


def route(name, args, kwargs, options, task=None, **_) -> dict | None:
    """Celery's router (read by name, once the apps are ready)."""
    if options.get("queue"):
        return None
    if name == IMPORT_TASK:
        bulk = big_import(*(args or ()), **(kwargs or {}))
    elif name in (RECOMPUTE_TASK, EXPORT_TASK, COHORTS_TASK):
        bulk = big_tenant()
    else:
        return None
    return {"queue": settings.KPIHUB_BULK_QUEUE if bulk else default_queue()}


def default_queue() -> str:
    return getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery")


def big_import(import_id: str, **_) -> bool:
    return DataImport.objects.filter(pk=import_id, file_size__gte=settings.KPIHUB_BULK_IMPORT_BYTES).exists()


def big_tenant() -> bool:
    """Whether the current schema's tables hold at least KPIHUB_BULK_RECOMPUTE_ROWS rows
    (pg_class.reltuples: kept by ANALYZE and autovacuum; a fresh import's table is
    analysed when it is swapped in)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(sum(greatest(reltuples, 0)), 0) FROM pg_class "
                       "WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r'")
        return cursor.fetchone()[0] >= settings.KPIHUB_BULK_RECOMPUTE_ROWS
