"""Builders for survey tests: customers, subscriptions, surveys with recipients, and
an SMTP sink that refuses chosen addresses."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from django.utils import timezone

from metrics.models import Customer, Subscription
from surveys import delivery, services
from surveys.models import Survey, SurveyRecipient

_numbers = itertools.count(1)


def make_customer(*, email: str | None = None, active: bool = False, **fields) -> Customer:
    number = next(_numbers)
    customer = Customer.objects.create(
        customer_id=fields.pop("customer_id", f"c{number:05d}"),
        name=fields.pop("name", f"Customer {number}"),
        email=f"person{number}@customers.example" if email is None else email,
        **fields,
    )
    if active:
        Subscription.objects.create(subscription_id=f"s-{customer.customer_id}", customer=customer,
                                    amount=10, start_date=date.today() - timedelta(days=30))
    return customer


def make_survey(**fields) -> Survey:
    fields.setdefault("type", "nps")
    fields.setdefault("name", "Quarterly NPS")
    fields.setdefault("base_url", "http://acme.localhost/")
    return services.create_survey(**fields)


def sent_survey(customers: int = 3, **fields) -> tuple[Survey, list[SurveyRecipient]]:
    """A survey already sent (in-process, to the locmem backend) to new customers."""
    for _ in range(customers):
        make_customer()
    survey = make_survey(**fields)
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.SENDING)
    delivery.deliver(survey_id=survey.pk)
    survey.refresh_from_db()
    return survey, list(survey.recipients.filter(status=SurveyRecipient.Status.SENT))


def answer_url(recipient: SurveyRecipient, score: int | None = None) -> str:
    return f"/s/{recipient.token}/" + (f"?score={score}" if score is not None else "")


@pytest.fixture
def refusing_sink(settings):
    """A real SMTP server that answers 550 for addresses starting with 'refuse'."""
    from tests.support.smtp import Sink, SmtpSink

    class RefusingSink(Sink):
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address.startswith("refuse"):
                return "550 5.1.1 mailbox unavailable"
            envelope.rcpt_tos.append(address)
            return "250 OK"

    sink = SmtpSink()
    sink.handler = RefusingSink()
    from aiosmtpd.controller import Controller

    sink.controller = Controller(sink.handler, hostname="127.0.0.1", port=sink.port)
    with sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        yield sink


def days_ago(days: int):
    return timezone.now() - timedelta(days=days)
