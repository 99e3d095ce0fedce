"""Other apps' events that make the KPIs stale."""

from django_tenants.utils import schema_context


def recompute_after_survey_answer(sender, *, schema_name: str, **kwargs) -> None:
    """A survey answer was recorded or changed (after commit): nps, csat and the
    response rate move, so the tenant's KPIs are recomputed in the background."""
    from metrics.kpis.tasks import recompute_kpis

    with schema_context(schema_name):
        recompute_kpis.delay()
