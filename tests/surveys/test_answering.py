"""A customer answers from the e-mail: GETs (and scanners) record nothing, the POST
records one replaceable answer, closing stops it, bad tokens learn nothing, and
unsubscribing needs the one-click POST."""

import re

import pytest
from django.db import connection
from django.test import Client

from surveys import kpi_sources, services
from surveys.models import Suppression, Survey, SurveyResponse
from tests.surveys.conftest import answer_url, days_ago, sent_survey


@pytest.fixture
def respondent(in_acme):
    """A browser without cookies on acme's host, CSRF checks on."""
    return Client(HTTP_HOST=in_acme.host, enforce_csrf_checks=True)


def post_answer(client, recipient, **fields):
    """GET the page (as a browser does, for the CSRF cookie), then POST the form."""
    client.get(answer_url(recipient))
    token = client.cookies["csrftoken"].value
    return client.post(answer_url(recipient), {"csrfmiddlewaretoken": token, **fields})


def test_a_scanner_opening_all_eleven_score_links_at_once_records_nothing(respondent):
    """A mail scanner follows every link of the e-mail: opening a score link only shows
    the page with that score chosen; the answer is the form's POST."""
    survey, (recipient, *_) = sent_survey()
    pages = [respondent.get(answer_url(recipient, score)) for score in range(11)]
    assert all(page.status_code == 200 for page in pages)
    assert SurveyResponse.objects.count() == 0


def test_the_page_shows_the_chosen_score_and_the_follow_up(respondent):
    survey, (recipient, *_) = sent_survey()
    page = respondent.get(answer_url(recipient, 9))
    html = page.content.decode()
    assert 'value="9" checked' in html
    assert "What is the main reason for your score?" in html
    assert 'data-auto-submit="1"' in html
    assert page["Cache-Control"].startswith("max-age=0")
    assert "csrfmiddlewaretoken" in html


def test_the_post_records_the_answer_and_shows_thanks(respondent):
    survey, (recipient, *_) = sent_survey()
    answer = post_answer(respondent, recipient, score="9", comment="")
    assert answer.status_code == 302 and answer["Location"] == f"/s/{recipient.token}/thanks/"
    response = SurveyResponse.objects.get(recipient=recipient)
    assert (response.score, response.survey_id) == (9, survey.pk)
    thanks = respondent.get(answer["Location"])
    assert "Your answer was recorded: 9." in thanks.content.decode()


def test_a_post_without_the_csrf_token_is_refused(respondent):
    survey, (recipient, *_) = sent_survey()
    assert respondent.post(answer_url(recipient), {"score": "9"}).status_code == 403
    assert SurveyResponse.objects.count() == 0


def test_a_later_answer_replaces_the_earlier_one_and_the_comment_can_change(respondent):
    survey, (recipient, *_) = sent_survey()
    post_answer(respondent, recipient, score="3", comment="")
    first = SurveyResponse.objects.get(recipient=recipient)
    post_answer(respondent, recipient, score="3", comment="Too slow")
    same_score = SurveyResponse.objects.get(recipient=recipient)
    assert same_score.responded_at == first.responded_at  # a comment does not move the month
    post_answer(respondent, recipient, score="8", comment="Better now")
    response = SurveyResponse.objects.get(recipient=recipient)
    assert (response.score, response.comment) == (8, "Better now")
    assert response.responded_at > first.responded_at
    assert SurveyResponse.objects.filter(survey=survey).count() == 1


def test_a_comment_without_a_score_keeps_the_score_already_given(respondent):
    survey, (recipient, *_) = sent_survey()
    post_answer(respondent, recipient, score="10")
    post_answer(respondent, recipient, comment="Great support")
    response = SurveyResponse.objects.get(recipient=recipient)
    assert (response.score, response.comment) == (10, "Great support")


def test_a_comment_only_answer_has_no_score(respondent):
    survey, (recipient, *_) = sent_survey()
    post_answer(respondent, recipient, comment="Just a thought")
    assert SurveyResponse.objects.get(recipient=recipient).score is None


@pytest.mark.parametrize("score", ["11", "-1", "nine", "5.5"])
def test_out_of_range_scores_are_refused(respondent, score):
    survey, (recipient, *_) = sent_survey()
    assert post_answer(respondent, recipient, score=score).status_code == 400
    assert SurveyResponse.objects.count() == 0


def test_csat_takes_1_to_5_only(respondent):
    survey, (recipient, *_) = sent_survey(type="csat")
    assert post_answer(respondent, recipient, score="0").status_code == 400
    assert post_answer(respondent, recipient, score="5").status_code == 302


def test_after_closing_the_links_say_so_and_change_nothing(respondent):
    survey, (recipient, *_) = sent_survey(closes_at=days_ago(-2))
    post_answer(respondent, recipient, score="9")
    Survey.objects.filter(pk=survey.pk).update(closes_at=days_ago(0))
    page = respondent.get(answer_url(recipient, 2))
    assert "This survey is closed" in page.content.decode()
    respondent.cookies.clear()
    client = Client(HTTP_HOST=respondent.defaults["HTTP_HOST"])
    client.post(answer_url(recipient), {"score": "2"})
    assert SurveyResponse.objects.get(recipient=recipient).score == 9


@pytest.mark.parametrize("mangle", [
    lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # one character off
    lambda token: token + "x",
    lambda token: "unknown-token",
])
def test_tampered_or_unknown_tokens_get_the_ordinary_404(respondent, mangle):
    survey, (recipient, *_) = sent_survey()
    ordinary = without_csrf(respondent.get("/no-such-page/").content.decode())
    for path in ("/s/{}/?score=9", "/s/{}/thanks/", "/s/{}/unsubscribe/"):
        page = respondent.get(path.format(mangle(recipient.token)))
        assert page.status_code == 404
        assert without_csrf(page.content.decode()) == ordinary  # the site's 404, word for word


def without_csrf(html: str) -> str:
    """Pages carry a per-request CSRF token; the rest must be identical."""
    return re.sub(r'[A-Za-z0-9]{64}', "<csrf>", html)


def test_another_tenants_token_is_unknown_here(in_acme, globex):
    survey, (recipient, *_) = sent_survey()
    on_globex = Client(HTTP_HOST=globex.host)
    assert on_globex.get(answer_url(recipient, 9)).status_code == 404
    assert on_globex.post(answer_url(recipient), {"score": "9"}).status_code == 404
    assert on_globex.post(f"/s/{recipient.token}/unsubscribe/",
                          {"List-Unsubscribe": "One-Click"}).status_code == 404
    connection.set_tenant(in_acme.tenant)
    assert not Suppression.objects.exists() and not SurveyResponse.objects.exists()


def test_unsubscribe_get_only_asks(respondent):
    survey, (recipient, *_) = sent_survey()
    page = respondent.get(f"/s/{recipient.token}/unsubscribe/")
    assert page.status_code == 200
    assert "Yes, unsubscribe me" in page.content.decode()
    assert not Suppression.objects.exists()


def test_one_click_unsubscribe_post_without_cookies(respondent):
    survey, (recipient, *_) = sent_survey()
    done = respondent.post(f"/s/{recipient.token}/unsubscribe/", "List-Unsubscribe=One-Click",
                           content_type="application/x-www-form-urlencoded")
    assert done.status_code == 200
    assert Suppression.objects.filter(email=recipient.email).exists()


def test_an_unsubscribe_post_without_the_one_click_body_changes_nothing(respondent):
    survey, (recipient, *_) = sent_survey()
    assert respondent.post(f"/s/{recipient.token}/unsubscribe/", {}).status_code == 400
    assert not Suppression.objects.exists()


@pytest.mark.parametrize(("language", "phrase"), [
    ("pt", "Qual é o principal motivo da sua nota?"),
    ("ro", "Care este motivul principal al notei acordate?"),
])
def test_pages_speak_the_survey_language(respondent, language, phrase):
    survey, (recipient, *_) = sent_survey(language=language)
    page = respondent.get(answer_url(recipient, 9), HTTP_ACCEPT_LANGUAGE="en")
    assert phrase in page.content.decode()
    assert f'<html lang="{language}">' in page.content.decode()
    post_answer(respondent, recipient, score="9")
    thanks = respondent.get(f"/s/{recipient.token}/thanks/").content.decode()
    assert {"pt": "Obrigado!", "ro": "Vă mulțumim!"}[language] in thanks


def test_recording_an_answer_asks_for_a_kpi_recompute(in_acme, django_capture_on_commit_callbacks, monkeypatch):
    from metrics.kpis import tasks as kpi_tasks

    monkeypatch.setattr(kpi_tasks.recompute_kpis, "delay", lambda *args, **kwargs: None)
    survey, (recipient, *_) = sent_survey()
    calls = []

    def receiver(sender, schema_name, **kwargs):
        calls.append(schema_name)

    kpi_sources.survey_responses_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.record_response(recipient=recipient, score=7, comment="")
    finally:
        kpi_sources.survey_responses_changed.disconnect(receiver)
    assert calls == [in_acme.schema]


def test_an_answer_queues_the_tenants_kpi_recompute(in_acme, monkeypatch, django_capture_on_commit_callbacks):
    from metrics.kpis import tasks as kpi_tasks

    survey, (recipient, *_) = sent_survey()
    queued_in = []
    monkeypatch.setattr(kpi_tasks.recompute_kpis, "delay",
                        lambda *args, **kwargs: queued_in.append(connection.schema_name))
    with django_capture_on_commit_callbacks(execute=True):
        services.record_response(recipient=recipient, score=9, comment="")
    assert queued_in == [in_acme.schema]
