"""Without EMAIL_URL, development mail lands in files that /dev/outbox/ shows."""

import re

import pytest
from django.db import connection
from django.test import Client

from surveys.models import Survey
from surveys import delivery
from tests.surveys.conftest import make_customer, make_survey


@pytest.fixture
def file_outbox(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    return tmp_path


def send_one_survey(acme) -> str:
    connection.set_tenant(acme.tenant)
    customer = make_customer()
    survey = make_survey()
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.SENDING)
    delivery.deliver(survey_id=survey.pk)
    connection.set_schema_to_public()
    return customer.email


def test_the_outbox_lists_and_opens_survey_mail_while_debug_is_on(in_acme, file_outbox, settings):
    address = send_one_survey(in_acme)
    settings.DEBUG = True
    browser = Client(HTTP_HOST="localhost")
    listing = browser.get("/dev/outbox/").content.decode()
    assert address in listing and "Acme Analytics would like your opinion" in listing
    link = re.search(r'href="(/dev/outbox/[^"]+/\d+/)"', listing).group(1)
    message = browser.get(link).content.decode()
    assert "?score=10" in message and "List-Unsubscribe-Post" in message
    html = browser.get(link + "html/")
    assert "How likely are you to recommend" in html.content.decode()
    assert html["Content-Security-Policy"].startswith("default-src 'none'")


def test_the_outbox_does_not_exist_with_debug_off(in_acme, file_outbox, settings):
    send_one_survey(in_acme)
    settings.DEBUG = False
    assert Client(HTTP_HOST="localhost").get("/dev/outbox/").status_code == 404


def test_the_outbox_reads_only_its_own_folder(in_acme, file_outbox, settings):
    settings.DEBUG = True
    assert Client(HTTP_HOST="localhost").get("/dev/outbox/..%2Fsecret.log/0/").status_code == 404
