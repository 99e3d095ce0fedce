"""Freshdesk tickets, Typeform responses and Pipedrive deals imported with no options,
and the NPS question found by its 0-10 answers when its text does not say
"recommend" (SurveyMonkey, Typeform): stored records and KPIs equal to the figures
worked out by hand in the comments."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from metrics.kpis.compute import recompute_kpis
from metrics.models import ImportedSurveyResponse, Lead, Ticket
from tests.metrics.imports import vendor_files
from tests.metrics.imports.test_sources_imports import APRIL_END, import_as_is, kpi, succeeded

pytestmark = pytest.mark.usefixtures("in_acme")
at = datetime.datetime


def local(moment: datetime.datetime | None, acme) -> datetime.datetime | None:
    return None if moment is None else moment.astimezone(ZoneInfo(acme.tenant.timezone)).replace(tzinfo=None)


def stored_tickets(acme) -> dict:
    return {t.ticket_id: (local(t.opened_at, acme), local(t.first_response_at, acme), local(t.resolved_at, acme),
                          t.customer_id, t.channel, t.priority) for t in Ticket.objects.all()}


def test_freshdesk_tickets_read_the_response_and_resolution_times_not_the_business_hour_durations(acme):
    record = import_as_is(vendor_files.freshdesk_tickets(), "tickets.csv")
    succeeded(record, "freshdesk_tickets", "tickets")
    assert stored_tickets(acme) == {
        "201": (at(2024, 1, 15, 9, 30), at(2024, 1, 15, 10, 15), at(2024, 1, 15, 16), "a@x.example", "Email", "High"),
        # Closed a day after it was resolved: resolved at 18:00.
        "202": (at(2024, 1, 16, 14), at(2024, 1, 16, 16), at(2024, 1, 16, 18), "b@x.example", "Portal", "Medium"),
        # 00:00:00 durations: never answered, not answered at once.
        "203": (at(2024, 1, 20, 8), None, None, "c@x.example", "Chat", "Low"),
        # Answered an hour later (the export's 00:30:00 counts business hours only).
        "204": (at(2024, 1, 31, 23, 30), at(2024, 2, 1, 0, 30), None, "d@x.example", "Phone", "Urgent"),
    }
    assert record.notes[0] == "Read as Freshdesk tickets export (Freshdesk)."
    assert not any(note.startswith("Derived") for note in record.notes), record.notes
    recompute_kpis(now=APRIL_END)
    # Opened in January: 4. Answered in January: 45 min and 2 h -> 1.375 h; in February 204's 1 h.
    # Resolved in January: 6.5 h and 4 h -> 5.25 h.
    assert kpi("tickets_opened", "2024-01") == Decimal("4")
    assert kpi("avg_first_response_hours", "2024-01") == Decimal("1.375")
    assert kpi("avg_first_response_hours", "2024-02") == Decimal("1")
    assert kpi("avg_resolution_hours", "2024-01") == Decimal("5.25")


def test_freshdesk_without_the_time_columns_adds_the_durations_to_the_creation(acme):
    content = vendor_files.freshdesk_tickets(without=("Initial response time", "Resolved time", "Closed time"))
    record = import_as_is(content, "tickets.csv")
    succeeded(record, "freshdesk_tickets", "tickets")
    assert {ticket: times[1:3] for ticket, times in stored_tickets(acme).items()} == {
        "201": (at(2024, 1, 15, 10, 15), at(2024, 1, 15, 16)),        # 09:30 + 00:45:00, + 06:30:00
        "202": (at(2024, 1, 16, 16), at(2024, 1, 16, 18)),
        "203": (None, None),                                          # 00:00:00: no response
        "204": (at(2024, 2, 1, 0), None),                             # 23:30 + 00:30:00 (business hours)
    }
    assert any(note.startswith("Derived first_response_at on 3 rows: Initial response time; without that "
                               "column, Created time + First response time (in hrs)") for note in record.notes)
    assert any(note.startswith("Derived resolved_at on 2 rows") for note in record.notes)


def stored_responses(acme) -> dict:
    return {r.response_id: (r.survey_type, r.score, local(r.responded_at, acme), r.email)
            for r in ImportedSurveyResponse.objects.all()}


TYPEFORM_STORED = {
    "t0k1": ("nps", 10, at(2024, 1, 15, 9, 32, 10), "a@x.example"),
    "t0k2": ("nps", 6, at(2024, 1, 20, 14, 7, 30), "b@x.example"),
    "t0k5": ("nps", 9, at(2024, 1, 25, 8, 3), "c@x.example"),
    "t0k6": ("nps", 8, at(2024, 2, 3, 10, 2), "d@x.example"),
}


def test_typeform_responses_utc_submit_dates_partial_and_skipped_responses_dropped(acme):
    record = import_as_is(vendor_files.typeform_responses(), "responses.csv")
    succeeded(record, "typeform_responses", "survey_responses")
    assert stored_responses(acme) == TYPEFORM_STORED
    notes = record.notes
    assert ("Dropped 1 partial responses (line 4): a response that was not submitted has no submit date."
            in notes)
    assert "Dropped 1 responses that skipped the NPS question (line 5): there is no score to count." in notes
    assert not any("found by its answers" in note for note in notes)
    recompute_kpis(now=APRIL_END)
    # January: promoters 10 and 9, detractor 6 -> (2 - 1) / 3 = 33.33; February: one passive.
    assert round(kpi("nps", "2024-01"), 2) == Decimal("33.33")
    assert (kpi("nps_responses", "2024-01"), kpi("nps_responses", "2024-02")) == (Decimal("3"), Decimal("1"))


def test_typeform_nps_question_in_other_words_is_found_by_its_answers(acme):
    question = "How likely is it that you would suggest Acme to a colleague?"
    record = import_as_is(vendor_files.typeform_responses(nps_question=question), "responses.csv")
    succeeded(record, "typeform_responses", "survey_responses")
    assert stored_responses(acme) == TYPEFORM_STORED
    assert any(note.startswith("No question mentions recommending, so the NPS question was found by its answers: "
                               "“how likely is it that you would suggest acme to a colleague?” holds")
               for note in record.notes), record.notes


def test_surveymonkey_nps_question_in_other_words_is_found_by_its_answers():
    content = vendor_files.surveymonkey_responses().replace(
        b"How likely is it that you would recommend Acme to a friend or colleague?",
        b"On a scale from 0 to 10, how likely are you to tell a friend about Acme?")
    record = import_as_is(content, "responses.csv")
    succeeded(record, "surveymonkey_responses", "survey_responses")
    assert sorted(ImportedSurveyResponse.objects.values_list("response_id", "score")) == [
        ("114001", 10), ("114002", 9), ("114003", 7), ("114004", 3), ("114006", 8)]
    assert "Dropped 1 responses that skipped the recommend question (line 7): there is no score to count." \
        in record.notes


def test_two_questions_answered_with_0_to_10_are_not_guessed_between():
    content = vendor_files.surveymonkey_responses().replace(
        b"How likely is it that you would recommend Acme to a friend or colleague?",
        b"How likely are you to tell a friend about Acme?").replace(
        b",Fast support,Reports,", b",4,Reports,")   # the first response's reason written as a number
    record = import_as_is(content, "responses.csv")
    assert ImportedSurveyResponse.objects.count() == 0
    assert record.rows_rejected == 6, record.errors   # every response, the one that skipped it too
    assert any(note.startswith("No question mentions recommending, and on line 3 several columns hold a whole "
                               "number from 0 to 10 (“how likely are you to tell a friend about acme?”, "
                               "“what is the main reason for your score?”)") for note in record.notes), record.notes


def test_pipedrive_deals_as_qualified_leads_converted_when_won():
    record = import_as_is(vendor_files.pipedrive_deals(), "deals.csv")
    succeeded(record, "pipedrive_deals", "leads")
    stored = {lead.lead_id: (str(lead.created_date), lead.channel, lead.qualified, str(lead.converted_date),
                             lead.customer_id) for lead in Lead.objects.all()}
    assert stored == {"11": ("2024-01-05", "Organic search", True, "2024-02-01", "a@x.example"),
                      "12": ("2024-01-10", "Paid search", True, "None", ""),
                      "13": ("2024-01-12", "", True, "None", ""),
                      "14": ("2024-01-15", "", True, "2024-01-25", "d@x.example"),
                      "15": ("2024-02-02", "Organic search", True, "None", "")}
    recompute_kpis(now=APRIL_END)
    # January's four deals, all qualified; two of them won (whenever) -> 50 %.
    assert (kpi("leads", "2024-01"), kpi("qualified_leads", "2024-01")) == (Decimal("4"), Decimal("4"))
    assert kpi("lead_conversion_rate", "2024-01") == Decimal("50")
    assert kpi("leads", "2024-02") == Decimal("1")
