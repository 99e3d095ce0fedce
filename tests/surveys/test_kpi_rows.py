"""What the KPI engine reads: one scored answer per recipient (the latest), dated when
given, and one row per invitation sent with whether it was answered."""

from datetime import datetime, timezone as tz

from django.db import connection

from metrics.models import ImportedSurveyResponse
from surveys import kpi_sources, services
from surveys.models import SurveyRecipient, SurveyResponse
from tests.surveys.conftest import sent_survey


def rows(sql: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def test_a_changed_answer_counts_once_with_its_latest_score_and_month(in_acme):
    survey, (first, second, third) = sent_survey(customers=3)
    services.record_response(recipient=first, score=4, comment="")
    SurveyResponse.objects.filter(recipient=first).update(
        responded_at=datetime(2026, 1, 31, 12, tzinfo=tz.utc))
    services.record_response(recipient=first, score=9, comment="changed my mind")
    services.record_response(recipient=second, score=None, comment="only a comment")
    answers = rows(kpi_sources.SCORED_ANSWERS)
    assert [(kind, score) for kind, score, _ in answers] == [("nps", 9)]
    assert answers[0][2] > datetime(2026, 1, 31, 12, tzinfo=tz.utc)  # dated by the latest score


def test_invitations_sent_with_whether_they_were_answered(in_acme):
    survey, (first, second, third) = sent_survey(customers=3)
    SurveyRecipient.objects.filter(pk=third.pk).update(status="failed", sent_at=None)
    services.record_response(recipient=first, score=10, comment="")
    invitations = rows(kpi_sources.INVITATIONS)
    assert sorted(answered for _, _, answered in invitations) == [False, True]
    assert all(kind == "nps" and sent_at is not None for kind, sent_at, _ in invitations)


def test_the_rows_union_with_imported_survey_answers(in_acme):
    survey, (first, *_) = sent_survey(customers=1, type="csat")
    services.record_response(recipient=first, score=5, comment="")
    ImportedSurveyResponse.objects.create(survey_type="csat", score=2,
                                          responded_at=datetime(2025, 5, 1, tzinfo=tz.utc))
    union = (f"{kpi_sources.SCORED_ANSWERS} UNION ALL SELECT survey_type, score, responded_at "
             f"FROM {ImportedSurveyResponse._meta.db_table}")
    assert sorted(score for _, score, _ in rows(union)) == [2, 5]
