"""Business operations on surveys. The pages, the API and the tasks call these and
nothing else writes survey data: create, start a send, record an answer, unsubscribe.
What the beat starts (due sends and reminders) is in schedule.py."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from jobs.models import Job
from surveys import tasks
from surveys.audience import FILTER_FIELDS
from surveys.kpi_sources import survey_responses_changed
from surveys.models import SCORE_RANGES, Survey, SurveyRecipient, SurveyResponse, Suppression

MAX_LIST = 10_000
MAX_COMMENT = 5_000
SEND_JOB_KIND = "survey_send"


class SurveyClosed(Exception):
    """Answers are no longer taken: the page says so, nothing is recorded."""


# --- Creating ----------------------------------------------------------------------

def clean_audience(*, audience: str, audience_filter: Any, audience_customer_ids: Any) -> dict:
    """The audience in its stored shape, or field errors."""
    if audience not in Survey.Audience.values:
        raise ValidationError({"audience": ["Choose all, filter or list."]})
    rules: dict = {}
    ids: list[str] = []
    if audience == Survey.Audience.FILTER:
        if not isinstance(audience_filter, dict) or set(audience_filter) - {*FILTER_FIELDS, "active"}:
            raise ValidationError({"audience": [
                "A filter is an object with segment, channel, country (lists) and active (true/false)."]})
        for field in FILTER_FIELDS:
            values = audience_filter.get(field)
            if values in (None, "", []):
                continue
            values = [values] if isinstance(values, str) else values
            if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
                raise ValidationError({"audience": [f"{field} must be a list of values."]})
            rules[field] = [v.upper() for v in values] if field == "country" else values
        active = audience_filter.get("active")
        if active is not None:
            if not isinstance(active, bool):
                raise ValidationError({"audience": ["active must be true or false."]})
            rules["active"] = active
        if not rules:
            raise ValidationError({"audience": ["The filter selects nothing: add a rule or choose all."]})
    elif audience == Survey.Audience.LIST:
        if not isinstance(audience_customer_ids, list) or not audience_customer_ids:
            raise ValidationError({"audience": ["Give at least one customer id."]})
        if len(audience_customer_ids) > MAX_LIST:
            raise ValidationError({"audience": [f"At most {MAX_LIST} customer ids."]})
        if not all(isinstance(i, str) and i.strip() for i in audience_customer_ids):
            raise ValidationError({"audience": ["Customer ids are non-empty strings."]})
        ids = list(dict.fromkeys(i.strip() for i in audience_customer_ids))
    return {"audience": audience, "audience_filter": rules, "audience_customer_ids": ids}


def _check_dates(*, send_at, closes_at, reminder_days) -> None:
    now = timezone.now()
    if closes_at is not None and closes_at <= max(now, send_at or now):
        raise ValidationError({"closes_at": ["The closing date must be after the survey is sent."]})
    if reminder_days is not None and reminder_days < 1:
        raise ValidationError({"reminder_days": ["At least one day."]})
    if closes_at is not None and reminder_days is not None:
        if (send_at or now) + timedelta(days=reminder_days) >= closes_at:
            raise ValidationError({"reminder_days": ["The reminder would go out after the survey closes."]})


@transaction.atomic
def create_survey(*, type: str, name: str, created_by=None, base_url: str = "",
                  audience: str = Survey.Audience.ALL, audience_filter: Any = None,
                  audience_customer_ids: Any = None, question: str = "", follow_up: str = "",
                  language: str = Survey.Language.EN, throttle_days: int = 90, send_at=None,
                  reminder_days: int | None = None, closes_at=None,
                  anonymous: bool = False) -> Survey:
    """A draft, or a scheduled survey when ``send_at`` is given (beat sends it)."""
    if type not in Survey.Type.values:
        raise ValidationError({"type": ["Choose nps or csat."]})
    if language not in Survey.Language.values:
        raise ValidationError({"language": ["Choose en, pt or ro."]})
    if not (name or "").strip():
        raise ValidationError({"name": ["Give the survey a name."]})
    _check_dates(send_at=send_at, closes_at=closes_at, reminder_days=reminder_days)
    survey = Survey(
        type=type, name=name.strip(), question=question.strip(), follow_up=follow_up.strip(),
        language=language, throttle_days=throttle_days, send_at=send_at,
        reminder_days=reminder_days, closes_at=closes_at, anonymous=anonymous,
        created_by=created_by, base_url=base_url,
        status=Survey.Status.SCHEDULED if send_at else Survey.Status.DRAFT,
        **clean_audience(audience=audience, audience_filter=audience_filter,
                         audience_customer_ids=audience_customer_ids),
    )
    survey.full_clean(exclude=["created_by", "send_job", "base_url"])
    survey.save()
    return survey


# --- Sending -----------------------------------------------------------------------

def start_sending(*, survey: Survey, by=None) -> Job:
    """Send now: one Job the page and the API follow, and one task. The status moves
    under a row lock, so two clicks (or a click and the beat sweep) queue one send."""
    with transaction.atomic():
        locked = Survey.objects.select_for_update().get(pk=survey.pk)
        if not locked.can_be_sent:
            raise ValidationError({"detail": [
                f"This survey is {locked.current_status} and cannot be sent again."]})
        job = Job.objects.create(kind=SEND_JOB_KIND, created_by=by)
        locked.status, locked.send_job = Survey.Status.SENDING, job
        locked.save(update_fields=["status", "send_job"])
        tasks.send_survey.delay_on_commit(str(job.pk), locked.pk)
    survey.refresh_from_db()
    return job


# --- Answering ---------------------------------------------------------------------

def recipient_for_token(token: str) -> SurveyRecipient | None:
    """Tokens live in the tenant's own schema: another tenant's token finds nothing."""
    if not token or len(token) > 64:
        return None
    return SurveyRecipient.objects.select_related("survey").filter(token=token).first()


def parse_score(survey: Survey, raw: Any) -> int | None:
    """A score in the survey's range, None when none was given; else a field error."""
    if raw in (None, ""):
        return None
    low, high = SCORE_RANGES[survey.type]
    try:
        score = int(str(raw).strip())
    except ValueError:
        raise ValidationError({"score": [f"Choose a score from {low} to {high}."]})
    if not low <= score <= high:
        raise ValidationError({"score": [f"Choose a score from {low} to {high}."]})
    return score


def record_response(*, recipient: SurveyRecipient, score: int | None, comment: str) -> SurveyResponse:
    """One response per recipient: the first answer creates it, a later one replaces
    it. A POST without a score keeps the score already given and changes the comment.
    ``responded_at`` moves only when the score is given or changed."""
    survey = recipient.survey
    if survey.is_closed:
        raise SurveyClosed()
    comment = (comment or "").strip()[:MAX_COMMENT]
    with transaction.atomic():
        response = (SurveyResponse.objects.select_for_update()
                    .filter(recipient=recipient).first())
        if response is None:
            response = SurveyResponse.objects.create(recipient=recipient, survey=survey,
                                                     score=score, comment=comment)
        else:
            if score is not None and score != response.score:
                response.score, response.responded_at = score, timezone.now()
            response.comment = comment
            response.save()
        queue_kpi_recompute()
    return response


def queue_kpi_recompute() -> None:
    """Ask for the tenant's KPIs (``nps``, ``csat``, ``survey_response_rate``) to be
    recomputed once this transaction commits. The KPI engine's receiver of
    ``survey_responses_changed`` queues its recompute task; the surveys app does not
    need to know that task's signature."""
    schema = connection.schema_name
    transaction.on_commit(lambda: survey_responses_changed.send(sender=Survey, schema_name=schema))


def unsubscribe(*, recipient: SurveyRecipient) -> Suppression:
    """The address is never sent anything by this tenant again (queued invitations
    and reminders included: the sending checks the list batch by batch)."""
    with transaction.atomic():
        suppression, _ = Suppression.objects.get_or_create(
            email=recipient.email.lower(), defaults={"survey": recipient.survey})
        SurveyRecipient.objects.filter(pk=recipient.pk, unsubscribed_at__isnull=True).update(
            unsubscribed_at=timezone.now())
    return suppression
