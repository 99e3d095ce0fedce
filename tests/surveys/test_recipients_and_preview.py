"""Before and while a survey goes out: listed ids that reach nobody are named back (form,
page, API), the e-mail can be read before sending exactly as it will leave, and the
sending figures follow the send live."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from django.db import connection
from django.utils import timezone

from accounts import services as accounts
from surveys import delivery
from surveys.models import Survey, SurveyRecipient, Suppression
from tests.support.smtp import html_of, text_of
from tests.surveys.conftest import make_customer, make_survey
from tests.surveys.test_pages import logged_in


@pytest.fixture
def owner_browser(in_acme):
    return logged_in(in_acme, in_acme.owner_email)


@pytest.fixture
def listed(in_acme):
    """Two customers who can be reached, one without an e-mail address."""
    make_customer(customer_id="C-ANA", name="Ana", email="ana@customers.example")
    make_customer(customer_id="C-BO", name="Bo", email="bo@customers.example")
    make_customer(customer_id="C-NOMAIL", name="Mailless", email="")


# --- Ids that reach nobody ---------------------------------------------------------

def test_the_api_names_the_listed_ids_that_reach_nobody(acme_owner, listed):
    created = acme_owner.post("/api/v1/surveys/", {
        "type": "nps", "name": "Listed",
        "audience": {"customer_ids": ["C-ANA", "C-TYPO", "C-NOMAIL", "C-BO"]}}, format="json")
    assert created.status_code == 201
    assert created.json()["unmatched_customer_ids"] == ["C-TYPO", "C-NOMAIL"]
    assert created.json()["audience"] == {"customer_ids": ["C-ANA", "C-TYPO", "C-NOMAIL", "C-BO"]}
    again = acme_owner.get(f"/api/v1/surveys/{created.json()['id']}/").json()
    assert again["unmatched_customer_ids"] == ["C-TYPO", "C-NOMAIL"]


def test_other_audiences_have_no_unmatched_ids(acme_owner, listed):
    created = acme_owner.post("/api/v1/surveys/", {"type": "nps", "name": "Everyone"}, format="json")
    assert created.json()["unmatched_customer_ids"] == []


def test_the_create_form_names_them_while_typing(owner_browser, listed):
    fragment = owner_browser.post("/surveys/audience-count/", {
        "audience": "list", "customer_ids": "C-ANA, C-TYPO\nC-NOMAIL", "throttle_days": "90",
    }).content.decode()
    assert re.search(r'data-count="recipients">1<', fragment)
    assert re.search(r'data-unmatched-ids="unknown"><code>C-TYPO</code></span>', fragment)
    assert re.search(r'data-unmatched-ids="without_email"><code>C-NOMAIL</code></span>', fragment)
    assert "2 ids will not be sent to" in fragment
    everyone = owner_browser.post("/surveys/audience-count/", {"audience": "all", "throttle_days": "90"})
    assert "data-unmatched" not in everyone.content.decode()


def test_the_survey_page_keeps_naming_them_after_create(owner_browser, listed):
    response = owner_browser.post("/surveys/new/", {
        "type": "nps", "name": "Typed by hand", "language": "en", "audience": "list",
        "customer_ids": "C-ANA C-TYPO", "throttle_days": "90"}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200 and "Typed by hand" in page
    assert "1 of the listed customer id reaches nobody" in page
    assert "<code>C-TYPO</code>" in page and "<code>C-ANA</code>" not in page


# --- The e-mail before it goes -----------------------------------------------------

def test_the_preview_is_the_email_the_first_recipient_will_get(owner_browser, listed, smtp_sink):
    survey = make_survey(audience="list", audience_customer_ids=["C-BO", "C-ANA"])
    page = owner_browser.get(f"/surveys/{survey.pk}/preview/").content.decode()
    assert 'data-preview="to">Ana &lt;ana@customers.example&gt;' in page  # first by id
    assert 'data-preview="from">Acme Analytics &lt;' in page
    assert 'data-preview="subject">Acme Analytics would like your opinion' in page
    assert f'src="/surveys/{survey.pk}/preview/email.html"' in page
    frame = owner_browser.get(f"/surveys/{survey.pk}/preview/email.html")
    assert frame["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in frame["Content-Security-Policy"]
    assert "script-src" not in frame["Content-Security-Policy"]  # default-src 'none' covers it

    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.SENDING)
    delivery.deliver(survey_id=survey.pk)
    sent = next(m for m in smtp_sink.messages if m["To"] == "ana@customers.example")
    token = SurveyRecipient.objects.get(survey=survey, email="ana@customers.example").token
    shown_text = re.search(r'data-preview="text">(.*?)</pre>', page, re.S).group(1)
    assert unescape(shown_text).replace("/s/preview/", f"/s/{token}/") == text_of(sent).replace("\r\n", "\n")
    assert frame.content.decode().replace("/s/preview/", f"/s/{token}/") == html_of(sent).replace("\r\n", "\n")


def test_the_preview_leaves_out_who_will_not_get_it(owner_browser, listed):
    Suppression.objects.create(email="ana@customers.example")
    survey = make_survey(audience="list", audience_customer_ids=["C-ANA", "C-BO"])
    page = owner_browser.get(f"/surveys/{survey.pk}/preview/").content.decode()
    assert 'data-preview="to">Bo &lt;bo@customers.example&gt;' in page


def test_with_nobody_to_send_to_the_preview_uses_a_made_up_customer(owner_browser):
    survey = make_survey(audience="list", audience_customer_ids=["C-NOBODY"])
    page = owner_browser.get(f"/surveys/{survey.pk}/preview/").content.decode()
    assert "a made-up customer" in page and "alex@example.com" in page
    assert "How likely are you to recommend Acme Analytics" in page


def test_the_preview_is_for_owners_and_admins_of_this_company_only(in_acme, globex):
    survey = make_survey()
    accounts.add_member(email="viewer@acme.example", password="pw-long-enough-123", role="member")
    member = logged_in(in_acme, "viewer@acme.example")
    assert member.get(f"/surveys/{survey.pk}/preview/").status_code == 403
    assert member.get(f"/surveys/{survey.pk}/preview/email.html").status_code == 403
    outsider = logged_in(globex, globex.owner_email)
    assert outsider.get(f"/surveys/{survey.pk}/preview/").status_code == 404
    assert outsider.get(f"/surveys/{survey.pk}/preview/email.html").status_code == 404


# --- The send, live ----------------------------------------------------------------

def test_the_figures_follow_the_send_until_it_is_done(owner_browser, in_acme):
    for _ in range(3):
        make_customer()
    survey = make_survey()
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.SENDING)
    survey.refresh_from_db()
    delivery.select_recipients(survey)
    first = SurveyRecipient.objects.filter(survey=survey).order_by("id").first()
    SurveyRecipient.objects.filter(pk=first.pk).update(status=SurveyRecipient.Status.SENDING)

    during = owner_browser.get(f"/surveys/{survey.pk}/progress/").content.decode()
    assert f'hx-get="/surveys/{survey.pk}/progress/" hx-trigger="every 2s"' in during
    assert "Sending: 0 sent, 1 leaving now, 2 queued." in during
    assert re.search(r'data-stat="queued">2<', during) and re.search(r'data-stat="sending">1<', during)
    assert '<progress class="progress" max="3" value="0"' in during

    connection.set_tenant(in_acme.tenant)
    SurveyRecipient.objects.filter(pk=first.pk).update(status=SurveyRecipient.Status.QUEUED)
    delivery.deliver(survey_id=survey.pk)
    done = owner_browser.get(f"/surveys/{survey.pk}/progress/").content.decode()
    assert "hx-trigger" not in done  # the swap replaces the poller with one that does not poll
    assert re.search(r'data-stat="sent">3<', done) and 'data-status="sent"' in done
    assert re.search(r"Sent on \d+ \w+ \d{4} \d\d:\d\d UTC\.", done)


def test_a_due_scheduled_survey_is_followed_until_beat_starts_it(owner_browser):
    make_customer()
    survey = make_survey(send_at=timezone.now() + timedelta(hours=1))
    assert "hx-trigger" not in owner_browser.get(f"/surveys/{survey.pk}/progress/").content.decode()
    Survey.objects.filter(pk=survey.pk).update(send_at=timezone.now() - timedelta(seconds=5))
    due = owner_browser.get(f"/surveys/{survey.pk}/progress/").content.decode()
    assert 'hx-trigger="every 2s"' in due and "sending starts within a minute" in due


def test_another_company_cannot_follow_the_send(in_acme, globex):
    survey = make_survey()
    assert logged_in(globex, globex.owner_email).get(f"/surveys/{survey.pk}/progress/").status_code == 404
