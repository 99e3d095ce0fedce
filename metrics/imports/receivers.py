"""Other packages' events the imports act on."""

from django.dispatch import receiver

from metrics.imports.plausibility import check_after_recompute
from metrics.kpis.signals import kpis_recomputed


@receiver(kpis_recomputed, dispatch_uid="imports-plausibility-after-kpi-recompute")
def check_plausibility_after_recompute(sender, **kwargs) -> None:
    """Once the KPIs are fresh, an import whose KPIs land far outside their benchmark
    bands is told so (plausibility.py)."""
    check_after_recompute()
