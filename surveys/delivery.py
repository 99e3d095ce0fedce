"""Sending a survey's invitations (or its one reminder) in batches, at a bounded rate
per tenant, so that nobody ever gets the same e-mail twice.

How "never twice" holds, even under retries, redelivery and a killed worker:

1. One run per survey at a time: a PostgreSQL advisory lock held by the run's
   session. A killed worker's connection closes and the lock goes with it, so a lock
   that can be taken means no other run is alive.
2. A batch is *claimed* (``queued`` -> ``sending``, ``SELECT ... FOR UPDATE SKIP
   LOCKED``) and committed before any message leaves.
3. After the batch's SMTP conversation the outcomes (``sent`` or ``failed`` with the
   reason) are committed together.
4. A run that finds ``sending`` rows while holding the lock knows their run died
   between 2 and 3: whether those messages left is unknown, so they are marked
   ``failed`` ("interrupted") and never sent again. At most once, by design.
"""

from __future__ import annotations

import logging
import smtplib
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.cache import cache
from django.core.mail import get_connection
from django.db import connection, transaction
from django.utils import timezone

from surveys import audience, conf
from surveys.emails import Letter
from surveys.models import Survey, SurveyRecipient, SurveyResponse, Suppression
from tenants.signup import tenant_url

logger = logging.getLogger(__name__)
Status = SurveyRecipient.Status
INTERRUPTED = "interrupted while sending; not retried so that nobody gets it twice"


@dataclass(frozen=True)
class Wave:
    """Which e-mail a run sends and which columns track it."""

    name: str
    status_field: str
    sent_at_field: str

    @property
    def is_reminder(self) -> bool:
        return self.name == "reminder"


INVITATION = Wave("invitation", "status", "sent_at")
REMINDER = Wave("reminder", "reminder_status", "reminder_sent_at")


class SmtpUnavailable(ConnectionError):
    """The mail server could not be reached: the task retries later (transient)."""


@contextmanager
def exclusive_run(survey_id: int, wave: Wave) -> Iterator[bool]:
    """True when this is the only live run sending this wave of this survey."""
    key = zlib.crc32(f"{connection.schema_name}:surveys:{wave.name}".encode()) - 2**31
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [key, survey_id])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [key, survey_id])


def select_recipients(survey: Survey) -> int:
    """Turn the audience into recipient rows, once (a retried run finds them made)."""
    with transaction.atomic():
        locked = Survey.objects.select_for_update().get(pk=survey.pk)
        if locked.recipients_selected_at is not None:
            return locked.recipients.count()
        reasons = {audience.UNSUBSCRIBED: "unsubscribed",
                   audience.THROTTLED: f"throttled: sent a survey in the last {survey.throttle_days} days"}
        rows = [
            SurveyRecipient(
                survey=locked, customer_id=c.customer_id, name=c.name, email=c.email,
                status=Status.SKIPPED if c.left_out else Status.QUEUED,
                reason=reasons.get(c.left_out, ""))
            for c in audience.candidates(audience.AudienceSpec.of(locked), survey_id=locked.pk)
        ]
        SurveyRecipient.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
        locked.recipients_selected_at = timezone.now()
        locked.save(update_fields=["recipients_selected_at"])
        return len(rows)


def give_up_interrupted(survey: Survey, wave: Wave) -> int:
    """Rows a dead run had claimed: their fate is unknown, so they are not resent."""
    updates = {wave.status_field: Status.FAILED}
    if not wave.is_reminder:
        updates["reason"] = INTERRUPTED
    return SurveyRecipient.objects.filter(
        survey=survey, **{wave.status_field: Status.SENDING}).update(**updates)


def claim_batch(survey: Survey, wave: Wave, size: int) -> tuple[int, list[SurveyRecipient]]:
    """Claim and commit the next batch: (rows claimed, rows to send). Suppressed
    addresses, and for a reminder those who answered meanwhile, are skipped."""
    table = SurveyRecipient._meta.db_table
    column = wave.status_field
    with transaction.atomic():
        with connection.cursor() as cursor:
            # The batch is picked once, in a MATERIALIZED CTE. Written as
            # "UPDATE ... WHERE id IN (SELECT ... LIMIT n FOR UPDATE SKIP LOCKED)", the
            # planner may run the subquery again for every row of the table it scans (a
            # nested-loop semi-join, its choice when the table's statistics are stale,
            # e.g. analysed when it held one row); each rerun skips the rows this
            # statement has just updated and yields the next ones, so one claim took
            # every queued recipient. A worker killed midway then left them all
            # 'sending', and all were reported interrupted instead of one batch.
            cursor.execute(
                f"""WITH batch AS MATERIALIZED (
                        SELECT id FROM {table}
                        WHERE survey_id = %s AND {column} = %s
                        ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED)
                    UPDATE {table} AS claimed SET {column} = %s, claimed_at = now()
                    FROM batch WHERE claimed.id = batch.id
                    RETURNING claimed.id""",
                [survey.pk, Status.QUEUED, size, Status.SENDING])
            ids = [row[0] for row in cursor.fetchall()]
        batch = list(SurveyRecipient.objects.filter(pk__in=ids).order_by("id"))
        suppressed = set(Suppression.objects.filter(email__in=[r.email for r in batch])
                         .values_list("email", flat=True))
        skip = {r.pk for r in batch if r.email in suppressed}
        if wave.is_reminder:
            skip |= {r.pk for r in batch if r.unsubscribed_at is not None}
            skip |= set(SurveyResponse.objects.filter(recipient_id__in=ids)
                        .values_list("recipient_id", flat=True))
        if skip:
            updates = {column: Status.SKIPPED}
            if not wave.is_reminder:
                updates["reason"] = "unsubscribed"
            SurveyRecipient.objects.filter(pk__in=skip).update(**updates)
    return len(ids), [r for r in batch if r.pk not in skip]


def reserve(count: int, rate: int) -> None:
    """Wait until ``count`` more messages fit in this tenant's per-second budget. The
    counter is in Redis (keys carry the schema), so it holds across workers."""
    while True:
        window = int(time.time())
        key = f"surveys:send-rate:{window}"
        cache.add(key, 0, timeout=5)
        used = cache.incr(key, count)
        if used <= max(rate, count):
            return
        time.sleep(max(0.0, window + 1 - time.time()))


def send_batch(letter: Letter, batch: list[SurveyRecipient]) -> tuple[list[int], dict[int, str], list[int]]:
    """(sent ids, {failed id: reason}, ids never attempted). A refused address fails
    alone; a lost connection fails the message in flight (it may have left) and
    leaves the rest unattempted for the retry, as does a server that cannot be
    reached at all."""
    mail = get_connection(fail_silently=False)
    try:
        mail.open()
    except (OSError, smtplib.SMTPException) as error:
        logger.warning("cannot reach the mail server: %s", error)
        return [], {}, [r.pk for r in batch]
    sent: list[int] = []
    failed: dict[int, str] = {}
    try:
        for index, recipient in enumerate(batch):
            try:
                mail.send_messages([letter.message_for(recipient)])
            except smtplib.SMTPRecipientsRefused as error:
                code, text = next(iter(error.recipients.values()))
                failed[recipient.pk] = f"refused by the mail server: {code} {_text(text)}"
            except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
                failed[recipient.pk] = f"refused by the mail server: {error.smtp_code} {_text(error.smtp_error)}"
            except (OSError, smtplib.SMTPException) as error:
                failed[recipient.pk] = f"connection lost during delivery ({error.__class__.__name__}); {INTERRUPTED}"
                return sent, failed, [r.pk for r in batch[index + 1:]]
            else:
                sent.append(recipient.pk)
    finally:
        try:
            mail.close()
        except (OSError, smtplib.SMTPException):
            pass
    return sent, failed, []


def _text(value) -> str:
    return (value.decode(errors="replace") if isinstance(value, bytes) else str(value))[:200]


def record_outcomes(wave: Wave, sent: list[int], failed: dict[int, str], unattempted: list[int]) -> None:
    with transaction.atomic():
        SurveyRecipient.objects.filter(pk__in=sent).update(
            **{wave.status_field: Status.SENT, wave.sent_at_field: timezone.now()})
        for pk, reason in failed.items():
            updates = {wave.status_field: Status.FAILED}
            if not wave.is_reminder:
                updates["reason"] = reason[:300]
            SurveyRecipient.objects.filter(pk=pk).update(**updates)
        SurveyRecipient.objects.filter(pk__in=unattempted).update(
            **{wave.status_field: Status.QUEUED, "claimed_at": None})


def deliver(*, survey_id: int, wave: Wave = INVITATION,
            progress: Callable[[int, int], None] | None = None) -> dict:
    """Send every queued e-mail of this wave; safe to run again at any point."""
    survey = Survey.objects.get(pk=survey_id)
    with exclusive_run(survey.pk, wave) as alone:
        if not alone:
            return {"survey": survey.pk, "note": "another run is sending this survey"}
        if not wave.is_reminder:
            select_recipients(survey)
        interrupted = give_up_interrupted(survey, wave)
        letter = letter_for(survey, reminder=wave.is_reminder)
        waiting = SurveyRecipient.objects.filter(survey=survey, **{wave.status_field: Status.QUEUED})
        total, done = waiting.count(), 0
        rate, size = conf.send_rate(), conf.batch_size()
        while True:
            survey.refresh_from_db(fields=["closes_at"])
            if survey.is_closed:
                waiting.update(**{wave.status_field: Status.SKIPPED}, **(
                    {} if wave.is_reminder else {"reason": "the survey closed before it was sent"}))
                break
            claimed, batch = claim_batch(survey, wave, size)
            if not claimed:
                break
            if batch:
                reserve(len(batch), rate)
                sent, failed, unattempted = send_batch(letter, batch)
                record_outcomes(wave, sent, failed, unattempted)
                if unattempted:
                    raise SmtpUnavailable("the mail server could not be reached or closed the connection")
            done += claimed
            if progress:
                progress(done, total)
        if not wave.is_reminder:
            Survey.objects.filter(pk=survey.pk, status=Survey.Status.SENDING).update(
                status=Survey.Status.SENT, sent_at=timezone.now())
    return {"survey": survey.pk, "wave": wave.name, "processed": done, "interrupted": interrupted}


def letter_for(survey: Survey, *, reminder: bool = False) -> Letter:
    """The e-mail this survey sends, built once here: the sending uses it and the
    survey page's preview shows it (sender, reply-to, subject, both parts)."""
    company = connection.tenant
    return Letter(survey, company=company.name, base_url=_base_url(survey),
                  tenant_slug=company.slug, reminder=reminder,
                  sender_name=company.survey_sender_name, reply_to=company.survey_reply_to)


def _base_url(survey: Survey) -> str:
    if survey.base_url:
        return survey.base_url
    return tenant_url(connection.tenant.slug)
