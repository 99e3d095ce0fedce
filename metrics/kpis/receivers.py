"""Other apps' events that make the KPIs stale. Connected on import (MetricsConfig.ready)."""

from django.dispatch import receiver
from django_tenants.utils import schema_context

from metrics.kpis.tasks import recompute_kpis
from surveys.kpi_sources import survey_responses_changed


@receiver(survey_responses_changed, dispatch_uid="kpis-recompute-after-survey-answer")
def recompute_after_survey_answer(sender, *, schema_name: str, **kwargs) -> None:
    """A survey answer was recorded or changed (after commit): nps, csat and the
    response rate move, so the tenant's KPIs are recomputed in the background."""
    with schema_context(schema_name):
        recompute_kpis.delay()
