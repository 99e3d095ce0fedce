"""Cohort matrices computed ahead: after each recompute, the ones the Cohorts page opens
on (the default months, by first paid month and by sign-up month), so the page reads
them from the cache (selectors.matrix)."""

from django.db import connection

from jobs.tasks import tenant_task
from metrics.cohorts import selectors
from metrics.cohorts.choices import choose


@tenant_task()
def compute_default_matrices() -> int:
    """Compute and keep the current tenant's default matrices; returns how many."""
    tenant = connection.tenant
    computed = 0
    for by in selectors.BY:
        choice = choose({"by": by}, timezone=tenant.timezone)
        if choice.first is None or choice.last is None:
            continue
        selectors.matrix(by=by, first=choice.first, last=choice.last, currency=tenant.currency,
                         timezone=tenant.timezone, data_first=choice.data_first)
        computed += 1
    return computed
