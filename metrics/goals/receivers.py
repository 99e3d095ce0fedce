"""Other packages' events the goals act on."""

from django.dispatch import receiver

from metrics.goals.tasks import evaluate_goals
from metrics.kpis.signals import kpis_recomputed


@receiver(kpis_recomputed, dispatch_uid="goals-evaluate-after-kpi-recompute")
def evaluate_goals_after_recompute(sender, **kwargs) -> None:
    """Goals measure KPIs: once a tenant's KPIs are fresh, its open goals are
    re-evaluated in the background (goals.md, "Jobs")."""
    evaluate_goals.delay()
