"""Celery entry points of sending: thin wrappers over surveys.delivery, queued by
surveys.services (a send) and surveys.schedule (reminders). What beat starts lives in
schedule.py."""

from __future__ import annotations

from jobs.tasks import JobReporter, tenant_task
from surveys import delivery


@tenant_task()
@JobReporter.tracking
def send_survey(reporter: JobReporter, survey_id: int) -> dict:
    return delivery.deliver(survey_id=survey_id, wave=delivery.INVITATION,
                            progress=lambda done, total: reporter.advance(done, total))


@tenant_task()
def send_reminders(survey_id: int) -> dict:
    return delivery.deliver(survey_id=survey_id, wave=delivery.REMINDER)
