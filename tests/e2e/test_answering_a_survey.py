"""A customer answers a survey in Chromium: with JavaScript the page records the
score it was opened with by itself; without JavaScript nothing is recorded until
the button is pressed. Then the comment is added on the thank-you page."""

from __future__ import annotations

import time
import uuid

import pytest
from django.db import connection

from metrics.models import Customer
from surveys import delivery, services
from surveys.models import Survey, SurveyResponse

pytestmark = pytest.mark.browser


@pytest.fixture
def recipient(acme, committed_db):
    """A committed survey sent to one customer; removed afterwards."""
    connection.set_tenant(acme.tenant)
    tag = uuid.uuid4().hex[:8]
    customer = Customer.objects.create(customer_id=f"e2e-{tag}", name="Browser Person",
                                       email=f"browser-{tag}@customers.example")
    made = []

    def make(language: str = "en"):
        survey = services.create_survey(type="nps", name=f"E2E {tag} {language}",
                                        language=language, throttle_days=0,
                                        audience="list", audience_customer_ids=[customer.customer_id])
        Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.SENDING)
        delivery.deliver(survey_id=survey.pk)  # to the test process's locmem backend
        made.append(survey.pk)
        return survey.recipients.get()

    yield make
    connection.set_tenant(acme.tenant)
    Survey.objects.filter(pk__in=made).delete()
    customer.delete()
    # Under Playwright's event loop Django may have opened a connection of its own
    # for this context; close it so the test database can be dropped at the end.
    connection.close()


def response_of(acme, recipient) -> SurveyResponse | None:
    connection.set_tenant(acme.tenant)
    return SurveyResponse.objects.filter(recipient=recipient).first()


def page_url(acme, port: int, recipient, query: str = "") -> str:
    return f"http://{acme.host}:{port}/s/{recipient.token}/{query}"


def test_with_javascript_the_page_records_the_score_once_shown(live_site, chromium, acme, recipient):
    person = recipient()
    context = chromium.new_context()
    page = context.new_page()
    csp_errors = []
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(page_url(acme, live_site, person, "?score=9"))
    page.wait_for_url("**/thanks/", timeout=10_000)
    assert "Your answer was recorded: 9." in page.text_content("main")
    assert response_of(acme, person).score == 9

    page.fill("#comment", "Onboarding was great")
    page.click("button[type=submit]")
    page.wait_for_selector("text=Your comment:")
    answer = response_of(acme, person)
    assert (answer.score, answer.comment) == (9, "Onboarding was great")
    assert csp_errors == []
    context.close()


def test_without_javascript_nothing_is_recorded_until_the_button(live_site, chromium, acme, recipient):
    person = recipient()
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(page_url(acme, live_site, person, "?score=3"))
    assert page.is_checked("input[name=score][value='3']")
    time.sleep(1.5)  # longer than the page would wait before sending by itself
    assert response_of(acme, person) is None
    assert "/thanks/" not in page.url

    page.fill("#comment", "Too many clicks")
    page.click("button[type=submit]")
    page.wait_for_url("**/thanks/")
    answer = response_of(acme, person)
    assert (answer.score, answer.comment) == (3, "Too many clicks")

    # Changing the score later replaces the answer (still one response).
    page.click("summary")  # <details> opens without JavaScript
    page.check("input[name=score][value='8']")
    page.click("button[type=submit]")
    page.wait_for_url("**/thanks/")
    assert response_of(acme, person).score == 8
    assert SurveyResponse.objects.filter(recipient=person).count() == 1
    context.close()


def test_a_portuguese_survey_answers_in_portuguese(live_site, chromium, acme, recipient):
    person = recipient("pt")
    context = chromium.new_context(locale="en-US")
    page = context.new_page()
    page.goto(page_url(acme, live_site, person, "?score=10"))
    page.wait_for_url("**/thanks/", timeout=10_000)
    assert "Obrigado!" in page.text_content("main")
    assert page.get_attribute("html", "lang") == "pt"
    context.close()
