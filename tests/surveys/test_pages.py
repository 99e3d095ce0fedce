"""The tenant's survey pages: create with a live count, the detail page's figures,
chart and comments, the CSV export, and what members may do."""

import csv
import io
import re

import pytest
from django.db import connection
from django.test import Client

from accounts import services as accounts
from surveys import services
from surveys.models import Survey, Suppression
from tests.surveys.conftest import make_customer, sent_survey


@pytest.fixture
def owner_browser(in_acme):
    return logged_in(in_acme, in_acme.owner_email)


def logged_in(handle, email: str) -> Client:
    """A browser with a session of this tenant's user (sessions live in its schema)."""
    from django.contrib.auth import get_user_model

    connection.set_tenant(handle.tenant)
    client = Client(HTTP_HOST=handle.host)
    client.force_login(get_user_model().objects.get(username=email))
    return client


def test_the_live_count_shows_recipients_throttled_and_unsubscribed(owner_browser):
    make_customer(segment="smb")
    make_customer(segment="smb")
    gone = make_customer(segment="smb")
    make_customer(segment="enterprise")
    make_customer(segment="smb", email="")  # no address: not in the audience at all
    Suppression.objects.create(email=gone.email)
    fragment = owner_browser.post("/surveys/audience-count/", {
        "audience": "filter", "segment": ["smb"], "throttle_days": "90"}, HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert re.search(r'data-count="recipients">2<', html)
    assert re.search(r'data-count="unsubscribed">1<', html)
    assert re.search(r'data-count="throttled">0<', html)


def test_throttled_contacts_show_in_the_count(owner_browser):
    survey, recipients = sent_survey(customers=2)
    make_customer()
    html = owner_browser.post("/surveys/audience-count/", {"audience": "all", "throttle_days": "90"}
                              ).content.decode()
    assert re.search(r'data-count="recipients">1<', html)
    assert re.search(r'data-count="throttled">2<', html)
    html = owner_browser.post("/surveys/audience-count/", {"audience": "all", "throttle_days": "0"}
                              ).content.decode()
    assert re.search(r'data-count="recipients">3<', html)


def test_active_filter_counts_customers_with_mrr_now(owner_browser):
    make_customer(active=True)
    make_customer(active=False)
    html = owner_browser.post("/surveys/audience-count/", {
        "audience": "filter", "active": "yes", "throttle_days": "90"}).content.decode()
    assert re.search(r'data-count="recipients">1<', html)


def test_the_create_page_makes_a_draft_and_shows_it(owner_browser):
    make_customer(segment="smb")
    page = owner_browser.get("/surveys/new/")
    assert page.status_code == 200 and 'hx-post="/surveys/audience-count/"' in page.content.decode()
    created = owner_browser.post("/surveys/new/", {
        "type": "nps", "name": "Spring NPS", "language": "ro", "audience": "filter",
        "segment": ["smb"], "throttle_days": "90"})
    survey = Survey.objects.get(name="Spring NPS")
    assert created.status_code == 302 and created["Location"] == f"/surveys/{survey.pk}/"
    assert (survey.status, survey.language, survey.audience_filter) == ("draft", "ro", {"segment": ["smb"]})
    assert survey.base_url == f"http://{owner_browser.defaults['HTTP_HOST']}/"
    detail = owner_browser.get(created["Location"]).content.decode()
    assert "Send now" in detail


def test_the_create_page_reports_errors_in_place(owner_browser):
    page = owner_browser.post("/surveys/new/", {"type": "nps", "name": "X", "audience": "list", "language": "en",
                                                 "customer_ids": "", "throttle_days": "90"})
    assert page.status_code == 200
    assert "Give at least one customer id." in page.content.decode()
    assert not Survey.objects.exists()


def test_the_detail_page_shows_figures_chart_score_and_uncertainty(owner_browser):
    survey, recipients = sent_survey(customers=4)
    for recipient, score in zip(recipients, (10, 9, 7, 2)):
        services.record_response(recipient=recipient, score=score, comment=f"said {score}")
    html = owner_browser.get(f"/surveys/{survey.pk}/").content.decode()
    assert re.search(r'data-stat="sent">4<', html)
    assert re.search(r'data-stat="responded">4<', html)
    assert re.search(r'data-stat="response_rate">100.0 %<', html)
    assert re.search(r'data-stat="score">25.0<', html)
    assert "data-uncertain" in html and "fewer than 30 answers" in html
    assert 'aria-label="promoters: 2 answers, 50.0 %"' in html
    assert "bars__fill--detractors w-25" in html
    assert 'style="' not in html  # the CSP allows no inline style


def test_comments_filter_by_group_customer_field_and_search(owner_browser):
    smb = make_customer(segment="smb", name="Small Co")
    big = make_customer(segment="enterprise", name="Big Co")
    survey, _ = sent_survey(customers=0)
    by_email = {r.email: r for r in survey.recipients.all()}
    services.record_response(recipient=by_email[smb.email], score=10, comment="Fast and friendly")
    services.record_response(recipient=by_email[big.email], score=4, comment="Missing SSO")

    def shown(query):
        html = owner_browser.get(f"/surveys/{survey.pk}/?{query}").content.decode()
        return re.search(r'data-answer-count="(\d+)"', html).group(1), html

    count, html = shown("group=promoters")
    assert count == "1" and "Fast and friendly" in html and "Missing SSO" not in html
    count, html = shown("segment=enterprise")
    assert count == "1" and "Missing SSO" in html
    count, html = shown("q=big+co")
    assert count == "1" and "Missing SSO" in html


def test_csv_export_is_formula_safe(owner_browser):
    survey, (recipient, *_) = sent_survey(customers=1)
    services.record_response(recipient=recipient, score=1, comment='=HYPERLINK("http://evil","x")')
    exported = owner_browser.get(f"/surveys/{survey.pk}/responses.csv")
    assert exported["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode())))
    assert rows[0]["comment"] == "'" + '=HYPERLINK("http://evil","x")'
    assert rows[0]["score"] == "1" and rows[0]["email"] == recipient.email


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_neutralised(start):
    from surveys.export import safe_cell

    assert safe_cell(f"{start}1+1") == f"'{start}1+1"
    assert safe_cell("plain") == "plain" and safe_cell(7) == 7


def test_anonymous_surveys_show_no_customer_anywhere_on_the_page_or_export(owner_browser):
    customer = make_customer(name="Traceable Person", segment="smb")
    survey, _ = sent_survey(customers=0, anonymous=True)
    recipient = survey.recipients.get(email=customer.email)
    services.record_response(recipient=recipient, score=9, comment="Anonymous words")
    html = owner_browser.get(f"/surveys/{survey.pk}/?segment=enterprise").content.decode()
    assert "Anonymous words" in html  # customer filters do not apply
    assert "Traceable Person" not in html and customer.email not in html
    exported = owner_browser.get(f"/surveys/{survey.pk}/responses.csv").content.decode()
    assert exported.splitlines()[0] == "responded_at,score,group,comment"
    assert customer.email not in exported and customer.customer_id not in exported


def test_members_see_surveys_but_not_the_create_page(in_acme):
    accounts.add_member(email="viewer@acme.example", password="pw-long-enough-123", role="member")
    client = logged_in(in_acme, "viewer@acme.example")
    survey = Survey.objects.create(type="nps", name="Visible")
    assert client.get("/surveys/").status_code == 200
    assert client.get(f"/surveys/{survey.pk}/").status_code == 200
    assert client.get("/surveys/new/").status_code == 403
    assert client.post(f"/surveys/{survey.pk}/send/").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(in_acme):
    assert Client(HTTP_HOST=in_acme.host).get("/surveys/").status_code == 302


def test_the_figures_refresh_themselves_only_while_sending(owner_browser):
    survey, _ = sent_survey(customers=1)
    assert 'hx-trigger="every 2s"' not in owner_browser.get(f"/surveys/{survey.pk}/").content.decode()
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.SENDING)
    html = owner_browser.get(f"/surveys/{survey.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in html and f'hx-get="/surveys/{survey.pk}/progress/"' in html
