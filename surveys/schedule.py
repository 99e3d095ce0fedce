"""What Celery beat starts for surveys: ``sweep_surveys`` runs on public every minute
and fans out one ``sweep_tenant_surveys`` per active tenant, spread over a few
seconds; the tenant task starts the scheduled sends and the due reminders. Future
sends live in the surveys table, never in task ETAs (tenancy-notes: one beat, a table
it sweeps)."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jobs.tasks import fan_out_to_active_tenants, tenant_task
from kpihub.celery import app
from surveys import tasks
from surveys.models import Survey, SurveyRecipient
from surveys.services import start_sending

FAN_OUT_SPACING = 0.2  # seconds between two tenants' sweeps
FAN_OUT_MAX_DELAY = 45


@app.task(name="surveys.schedule.sweep_surveys")
def sweep_surveys() -> int:
    """On public: one sweep per active tenant (not the template, not suspended ones)."""
    return fan_out_to_active_tenants(sweep_tenant_surveys, spacing=FAN_OUT_SPACING,
                                     max_delay=FAN_OUT_MAX_DELAY)


@tenant_task()
def sweep_tenant_surveys() -> dict:
    return {"sends": start_due_sends(), "reminders": start_due_reminders()}


def start_due_sends() -> list[int]:
    """Scheduled surveys whose time has come (called by the beat sweep)."""
    due = Survey.objects.filter(status=Survey.Status.SCHEDULED, send_at__lte=timezone.now())
    started = []
    for survey in due:
        try:
            start_sending(survey=survey)
        except ValidationError:
            continue  # closed before it was sent, or started by someone meanwhile
        started.append(survey.pk)
    return started


def start_due_reminders() -> list[int]:
    """Surveys whose reminder is due: queue one reminder to each recipient who got
    the invitation, has not answered, and is still subscribed."""
    now = timezone.now()
    started = []
    candidates = Survey.objects.filter(status=Survey.Status.SENT, reminder_days__isnull=False,
                                       reminder_started_at__isnull=True, sent_at__isnull=False)
    for survey in candidates:
        if survey.is_closed or survey.sent_at + timedelta(days=survey.reminder_days) > now:
            continue
        with transaction.atomic():
            claimed = Survey.objects.filter(pk=survey.pk, reminder_started_at__isnull=True).update(
                reminder_started_at=now)
            if not claimed:
                continue
            (SurveyRecipient.objects
             .filter(survey=survey, status=SurveyRecipient.Status.SENT, reminder_status="",
                     response__isnull=True, unsubscribed_at__isnull=True)
             .update(reminder_status=SurveyRecipient.Status.QUEUED))
            tasks.send_reminders.delay_on_commit(survey.pk)
        started.append(survey.pk)
    return started
