"""The cohorts follow the KPIs: connected on import (MetricsConfig.ready)."""

from django.dispatch import receiver

from metrics.cohorts.tasks import compute_default_matrices
from metrics.kpis.signals import kpis_recomputed


@receiver(kpis_recomputed, dispatch_uid="cohorts-compute-after-kpi-recompute")
def compute_cohorts_after_recompute(sender, **kwargs) -> None:
    """Fresh KPIs mean new data: the default cohort matrices are computed ahead in the
    background, so the Cohorts page opens on them at once."""
    compute_default_matrices.delay()
