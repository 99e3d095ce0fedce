"""Celery entry points for surveys: thin wrappers over surveys.delivery/services.

``sweep_surveys`` runs on public (Celery beat, every minute) and fans out one
``sweep_tenant_surveys`` per active tenant, spread over a few seconds; the tenant
task starts scheduled sends and due reminders. Future sends live in the surveys
table, never in task ETAs (tenancy-notes: one beat, a table it sweeps)."""

from __future__ import annotations

from jobs.tasks import JobReporter, fan_out_to_active_tenants, tenant_task
from kpihub.celery import app
from surveys import delivery, services

FAN_OUT_SPACING = 0.2  # seconds between two tenants' sweeps
FAN_OUT_MAX_DELAY = 45


@tenant_task()
@JobReporter.tracking
def send_survey(reporter: JobReporter, survey_id: int) -> dict:
    return delivery.deliver(survey_id=survey_id, wave=delivery.INVITATION,
                            progress=lambda done, total: reporter.advance(done, total))


@tenant_task()
def send_reminders(survey_id: int) -> dict:
    return delivery.deliver(survey_id=survey_id, wave=delivery.REMINDER)


@tenant_task()
def sweep_tenant_surveys() -> dict:
    return {"sends": services.start_due_sends(), "reminders": services.start_due_reminders()}


@app.task(name="surveys.tasks.sweep_surveys")
def sweep_surveys() -> int:
    """On public: one sweep per active tenant (not the template, not suspended ones)."""
    return fan_out_to_active_tenants(sweep_tenant_surveys, spacing=FAN_OUT_SPACING,
                                     max_delay=FAN_OUT_MAX_DELAY)
