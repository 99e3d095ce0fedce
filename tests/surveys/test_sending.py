"""Sending over a real SMTP connection: what the e-mail holds, per-recipient status,
never twice, throttling, suppression, the per-tenant rate and the language."""

import re
import time

import pytest

from surveys import delivery, schedule, services
from surveys.models import Survey, SurveyRecipient, Suppression
from tests.support.smtp import html_of, text_of
from tests.surveys.conftest import days_ago, make_customer, make_survey

Status = SurveyRecipient.Status


def header(message, name: str) -> str:
    """A header's value as a mail client shows it (long ones arrive folded)."""
    return str(message[name]).strip()


def send(survey: Survey) -> dict:
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.SENDING)
    return delivery.deliver(survey_id=survey.pk)


def test_the_invitation_has_html_and_text_with_one_link_per_score(in_acme, smtp_sink):
    make_customer(email="Ana@Customers.Example", name="Ana")
    survey = make_survey()
    send(survey)

    assert len(smtp_sink.messages) == 1
    message = smtp_sink.messages[0]
    recipient = survey.recipients.get()
    assert recipient.email == "ana@customers.example"
    assert message["To"] == "ana@customers.example"
    assert message["From"].startswith("Acme Analytics <")
    assert header(message, "Subject") == "Acme Analytics would like your opinion"
    base = f"http://acme.localhost/s/{recipient.token}/"
    for part in (html_of(message), text_of(message)):
        assert "How likely are you to recommend Acme Analytics to a friend or colleague?" in part
        links = re.findall(re.escape(base) + r"\?score=(\d+)", part)
        assert sorted(set(int(n) for n in links)) == list(range(0, 11))
    assert header(message, "List-Unsubscribe").startswith(f"<{base}unsubscribe/>, <mailto:unsubscribe@")
    assert recipient.token in header(message, "List-Unsubscribe").split("mailto:")[1]
    assert header(message, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    assert (recipient.status, recipient.sent_at is not None) == (Status.SENT, True)


def test_each_person_gets_their_own_links_and_name_safely_escaped(in_acme, smtp_sink):
    make_customer(name="Ana & <Bo>")
    make_customer(name="")
    survey = make_survey()
    send(survey)
    by_address = {m["To"]: m for m in smtp_sink.messages}
    for recipient in survey.recipients.all():
        message = by_address[recipient.email]
        assert f"/s/{recipient.token}/?score=7" in text_of(message)
        assert f"/s/{recipient.token}/unsubscribe/" in html_of(message)
        others = [r.token for r in survey.recipients.exclude(pk=recipient.pk)]
        assert not any(token in html_of(message) for token in others)
    named = by_address[survey.recipients.get(name="Ana & <Bo>").email]
    assert "Hello Ana &amp; &lt;Bo&gt;," in html_of(named)
    assert "Hello Ana & <Bo>," in text_of(named)
    unnamed = by_address[survey.recipients.get(name="").email]
    assert text_of(unnamed).startswith("Hello,")


def test_tokens_carry_at_least_128_random_bits(in_acme, smtp_sink):
    for _ in range(3):
        make_customer()
    survey = make_survey()
    send(survey)
    tokens = list(survey.recipients.values_list("token", flat=True))
    assert len(set(tokens)) == 3
    assert all(len(token) >= 32 and re.fullmatch(r"[A-Za-z0-9_-]+", token) for token in tokens)


def test_csat_email_offers_scores_1_to_5(in_acme, smtp_sink):
    make_customer()
    survey = make_survey(type="csat")
    send(survey)
    text = text_of(smtp_sink.messages[0])
    assert "How satisfied are you with Acme Analytics?" in text
    assert sorted(int(n) for n in re.findall(r"\?score=(\d+)", text)) == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(("language", "subject", "question"), [
    ("pt", "Acme Analytics gostaria de saber a sua opinião",
     "Qual a probabilidade de recomendar Acme Analytics a um amigo ou colega?"),
    ("ro", "Acme Analytics vă roagă să vă spuneți părerea",
     "Cât de probabil este să recomandați Acme Analytics unui prieten sau coleg?"),
])
def test_the_email_is_in_the_survey_language(in_acme, smtp_sink, language, subject, question):
    make_customer()
    send(make_survey(language=language))
    message = smtp_sink.messages[0]
    assert header(message, "Subject") == subject
    assert question in html_of(message) and question in text_of(message)
    assert f'lang="{language}"' in html_of(message)


def test_a_second_run_sends_nothing_again(in_acme, smtp_sink):
    for _ in range(4):
        make_customer()
    survey = make_survey()
    send(survey)
    delivery.deliver(survey_id=survey.pk)  # a retried or redelivered task
    assert len(smtp_sink.messages) == 4
    assert sorted(m["To"] for m in smtp_sink.messages) == sorted(
        survey.recipients.values_list("email", flat=True))


def test_rows_claimed_by_a_run_that_died_are_failed_not_resent(in_acme, smtp_sink):
    for _ in range(3):
        make_customer()
    survey = make_survey()
    delivery.select_recipients(survey)
    # A dead run claimed the first one (maybe sent it, maybe not) and never came back.
    claimed = survey.recipients.order_by("id").first()
    SurveyRecipient.objects.filter(pk=claimed.pk).update(status=Status.SENDING)
    send(survey)
    claimed.refresh_from_db()
    assert claimed.status == Status.FAILED
    assert "interrupted" in claimed.reason
    assert claimed.email not in [m["To"] for m in smtp_sink.messages]
    assert len(smtp_sink.messages) == 2


# What PostgreSQL chose, under load, for a claim when the recipients table's statistics
# were stale (autovacuum had analysed it while it held a row or two): a nested-loop
# semi-join that runs the batch's "LIMIT n FOR UPDATE SKIP LOCKED" subquery again for
# each row it scans. The same plan, forced for the test's transaction only.
RESCANNING_PLAN = ("enable_hashjoin", "enable_mergejoin", "enable_hashagg", "enable_material", "enable_sort")
CLAIM_AS_IT_WAS = """UPDATE {table} SET {column} = 'sending', claimed_at = now()
                     WHERE id IN (SELECT id FROM {table} WHERE survey_id = %s AND {column} = 'queued'
                                  ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED)
                     RETURNING id"""


@pytest.mark.parametrize("wave", [delivery.INVITATION, delivery.REMINDER], ids=lambda wave: wave.name)
def test_a_claim_takes_one_batch_even_when_the_planner_repeats_its_subquery(in_acme, wave):
    """A killed worker's heir reported all 40 recipients of a fault test interrupted:
    the one claim had taken them all (see claim_batch)."""
    from django.db import connection, transaction

    for _ in range(40):
        make_customer()
    survey = make_survey()
    delivery.select_recipients(survey)
    if wave.is_reminder:
        survey.recipients.update(status=Status.SENT, reminder_status=Status.QUEUED)
    with connection.cursor() as cursor:
        for setting in RESCANNING_PLAN:
            cursor.execute(f"SET LOCAL {setting} = off")  # undone with the test's transaction
        # The control: under this plan the statement claim_batch used took everyone.
        savepoint = transaction.savepoint()
        cursor.execute(CLAIM_AS_IT_WAS.format(table=SurveyRecipient._meta.db_table, column=wave.status_field),
                       [survey.pk, 5])
        assert len(cursor.fetchall()) > 5
        transaction.savepoint_rollback(savepoint)

    claimed, batch = delivery.claim_batch(survey, wave, 5)

    first_five = list(survey.recipients.order_by("id").values_list("id", flat=True)[:5])
    assert claimed == 5
    assert [r.pk for r in batch] == first_five
    statuses = survey.recipients.values_list(wave.status_field, flat=True)
    assert sorted(set(statuses)) == [Status.QUEUED, Status.SENDING]
    assert list(statuses).count(Status.SENDING) == 5
    # A run killed now leaves that one batch to its heir, reported, and nobody else.
    assert delivery.give_up_interrupted(survey, wave) == 5


def test_a_run_does_not_start_while_another_holds_the_survey(in_acme, smtp_sink):
    make_customer()
    survey = make_survey()
    from django.db import connections

    other = connections.create_connection("default")
    try:
        other.set_tenant(in_acme.tenant)
        with other.cursor() as cursor:  # the live run, in another session
            import zlib

            key = zlib.crc32(f"{in_acme.schema}:surveys:invitation".encode()) - 2**31
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [key, survey.pk])
        result = send(survey)
        assert result["note"] == "another run is sending this survey"
        assert smtp_sink.messages == []
    finally:
        other.close()


def test_refused_addresses_fail_with_the_servers_reason(in_acme, refusing_sink):
    make_customer(email="refuse-me@customers.example")
    make_customer(email="fine@customers.example")
    survey = make_survey()
    send(survey)
    refused = survey.recipients.get(email="refuse-me@customers.example")
    assert refused.status == Status.FAILED
    assert refused.reason.startswith("refused by the mail server: 550")
    assert survey.recipients.get(email="fine@customers.example").status == Status.SENT
    assert [m["To"] for m in refusing_sink.messages] == ["fine@customers.example"]


def test_an_unreachable_mail_server_leaves_recipients_queued_for_the_retry(in_acme, settings):
    from tests.support.smtp import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    make_customer()
    survey = make_survey()
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.SENDING)
    with pytest.raises(delivery.SmtpUnavailable):
        delivery.deliver(survey_id=survey.pk)
    assert list(survey.recipients.values_list("status", flat=True)) == [Status.QUEUED]
    assert issubclass(delivery.SmtpUnavailable, ConnectionError)  # retried by tenant_task


def test_recently_surveyed_contacts_are_throttled_and_counted(in_acme, smtp_sink):
    recent = make_customer()
    long_ago = make_customer()
    earlier = make_survey(name="Earlier")
    send(earlier)
    SurveyRecipient.objects.filter(email=long_ago.email).update(sent_at=days_ago(120))
    smtp_sink.messages.clear()

    survey = make_survey(throttle_days=90)
    send(survey)
    skipped = survey.recipients.get(email=recent.email)
    assert skipped.status == Status.SKIPPED and skipped.reason.startswith("throttled")
    assert [m["To"] for m in smtp_sink.messages] == [long_ago.email]


def test_unsubscribed_addresses_are_never_sent_anything(in_acme, smtp_sink):
    gone = make_customer()
    stays = make_customer()
    Suppression.objects.create(email=gone.email)
    survey = make_survey()
    send(survey)
    assert survey.recipients.get(email=gone.email).reason == "unsubscribed"
    assert [m["To"] for m in smtp_sink.messages] == [stays.email]


def test_an_address_unsubscribed_while_queued_is_skipped(in_acme, smtp_sink):
    customer = make_customer()
    survey = make_survey()
    delivery.select_recipients(survey)
    Suppression.objects.create(email=customer.email)
    send(survey)
    assert survey.recipients.get().status == Status.SKIPPED
    assert smtp_sink.messages == []


def test_sending_keeps_to_the_per_tenant_rate(in_acme, smtp_sink, settings):
    settings.SURVEYS_SEND_RATE, settings.SURVEYS_SEND_BATCH = 5, 5
    for _ in range(12):
        make_customer()
    survey = make_survey()
    started = time.monotonic()
    send(survey)
    elapsed = time.monotonic() - started
    assert len(smtp_sink.messages) == 12
    assert elapsed >= 1.5  # 12 messages at 5 per second span at least three windows


def test_the_reminder_goes_once_to_those_who_have_not_answered(in_acme, smtp_sink):
    answered, waiting, unsubscribed = make_customer(), make_customer(), make_customer()
    survey = make_survey(reminder_days=3)
    send(survey)
    services.record_response(recipient=survey.recipients.get(email=answered.email), score=9, comment="")
    services.unsubscribe(recipient=survey.recipients.get(email=unsubscribed.email))
    Survey.objects.filter(pk=survey.pk).update(sent_at=days_ago(4))
    smtp_sink.messages.clear()

    assert schedule.start_due_reminders() == [survey.pk]
    assert schedule.start_due_reminders() == []  # one reminder only
    delivery.deliver(survey_id=survey.pk, wave=delivery.REMINDER)
    delivery.deliver(survey_id=survey.pk, wave=delivery.REMINDER)
    assert [m["To"] for m in smtp_sink.messages] == [waiting.email]
    assert header(smtp_sink.messages[0], "Subject").startswith("Reminder: ")
    assert survey.recipients.get(email=waiting.email).reminder_status == Status.SENT


def test_a_survey_that_closes_before_sending_sends_nothing(in_acme, smtp_sink):
    make_customer()
    survey = make_survey(closes_at=days_ago(-1))
    Survey.objects.filter(pk=survey.pk).update(closes_at=days_ago(0))
    send(survey)
    assert smtp_sink.messages == []
    assert survey.recipients.get().status == Status.SKIPPED
