"""The mailto: half of List-Unsubscribe: a message with the pre-filled subject,
piped to the management command, unsubscribes that recipient's address."""

from django.db import connection

from surveys.management.commands.survey_unsubscribe_mail import unsubscribe_from_message
from surveys.models import Suppression
from tests.surveys.conftest import sent_survey


def mail(subject: str) -> bytes:
    return (f"From: someone@customers.example\r\nTo: unsubscribe@localhost\r\n"
            f"Subject: {subject}\r\n\r\n").encode()


def test_the_prefilled_subject_unsubscribes_the_address(in_acme):
    survey, (recipient, *_) = sent_survey(customers=1)
    assert unsubscribe_from_message(mail(f"unsubscribe acme {recipient.token}"))
    connection.set_tenant(in_acme.tenant)
    assert Suppression.objects.filter(email=recipient.email).exists()


def test_wrong_tenant_or_token_changes_nothing(in_acme, globex):
    survey, (recipient, *_) = sent_survey(customers=1)
    assert not unsubscribe_from_message(mail(f"unsubscribe globex {recipient.token}"))
    assert not unsubscribe_from_message(mail(f"unsubscribe acme {recipient.token}x"))
    assert not unsubscribe_from_message(mail("hello"))
    connection.set_tenant(in_acme.tenant)
    assert not Suppression.objects.exists()
