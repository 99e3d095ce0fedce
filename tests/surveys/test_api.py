"""/api/v1/surveys/: create, read figures, send, read answers; roles and tenants."""

import pytest
from django.db import connection

from accounts import services as accounts
from jobs.models import Job
from surveys import services
from surveys.models import Survey
from tests.conftest import host_client
from tests.surveys.conftest import make_customer, sent_survey


def test_owner_creates_a_survey_with_the_spec_fields(acme_owner, in_acme):
    created = acme_owner.post("/api/v1/surveys/", {
        "type": "nps", "name": "Q3 NPS", "language": "pt",
        "audience": {"filter": {"segment": ["smb"], "active": True}},
        "throttle_days": 60, "reminder_days": 5, "closes_at": "2099-01-01T00:00:00Z",
        "anonymous": True,
    }, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["id"] and body["status"] == "draft"
    assert body["audience"] == {"filter": {"segment": ["smb"], "active": True}}
    assert (body["language"], body["throttle_days"], body["reminder_days"], body["anonymous"]) == (
        "pt", 60, 5, True)


def test_a_send_at_makes_it_scheduled(acme_owner, in_acme):
    body = acme_owner.post("/api/v1/surveys/", {
        "type": "csat", "name": "Later", "send_at": "2099-01-01T09:00:00Z",
        "audience": {"customer_ids": ["c1", "c2"]}}, format="json").json()
    assert body["status"] == "scheduled"
    assert body["audience"] == {"customer_ids": ["c1", "c2"]}


@pytest.mark.parametrize(("payload", "field"), [
    ({"type": "ces", "name": "x"}, "type"),
    ({"type": "nps"}, "name"),
    ({"type": "nps", "name": "x", "language": "fr"}, "language"),
    ({"type": "nps", "name": "x", "audience": "some"}, "audience"),
    ({"type": "nps", "name": "x", "audience": {"filter": {"planet": ["mars"]}}}, "audience"),
    ({"type": "nps", "name": "x", "audience": {"customer_ids": []}}, "audience"),
    ({"type": "nps", "name": "x", "closes_at": "2001-01-01T00:00:00Z"}, "closes_at"),
    ({"type": "nps", "name": "x", "reminder_days": 0}, "reminder_days"),
])
def test_bad_input_gets_field_errors(acme_owner, in_acme, payload, field):
    answer = acme_owner.post("/api/v1/surveys/", payload, format="json")
    assert answer.status_code == 400
    assert field in answer.json()


def test_detail_has_the_figures(acme_owner, in_acme):
    survey, recipients = sent_survey(customers=4)
    services.record_response(recipient=recipients[0], score=10, comment="")
    services.record_response(recipient=recipients[1], score=3, comment="")
    body = acme_owner.get(f"/api/v1/surveys/{survey.pk}/").json()
    for key in ("id", "type", "name", "status", "sent", "skipped", "failed", "responded",
                "response_rate", "score", "score_margin"):
        assert key in body
    assert (body["status"], body["sent"], body["responded"]) == ("sent", 4, 2)
    assert body["response_rate"] == pytest.approx(50.0)
    assert body["score"] == pytest.approx(0.0)
    assert body["score_margin"] > 0


def test_send_answers_202_with_a_job_and_refuses_a_second_send(acme_owner, in_acme,
                                                               django_capture_on_commit_callbacks):
    make_customer()
    survey = Survey.objects.create(type="nps", name="Now")
    with django_capture_on_commit_callbacks() as queued:
        first = acme_owner.post(f"/api/v1/surveys/{survey.pk}/send/")
    assert first.status_code == 202
    assert Job.objects.filter(pk=first.json()["job_id"], kind="survey_send").exists()
    assert len(queued) == 1  # the send task, once the request commits
    second = acme_owner.post(f"/api/v1/surveys/{survey.pk}/send/")
    assert second.status_code == 409
    assert "cannot be sent again" in second.json()["detail"]


def test_responses_list_with_customer_fields_and_filters(acme_owner, in_acme):
    survey, recipients = sent_survey(customers=3)
    services.record_response(recipient=recipients[0], score=10, comment="Love it")
    services.record_response(recipient=recipients[1], score=2, comment="Too slow")
    body = acme_owner.get(f"/api/v1/surveys/{survey.pk}/responses/?group=detractors").json()
    assert body["count"] == 1
    row = body["results"][0]
    assert (row["score"], row["group"], row["comment"]) == (2, "detractors", "Too slow")
    assert row["customer"]["email"] == recipients[1].email
    assert acme_owner.get(f"/api/v1/surveys/{survey.pk}/responses/?q=love").json()["count"] == 1


def test_anonymous_responses_never_carry_customers(acme_owner, in_acme):
    survey, recipients = sent_survey(customers=2, anonymous=True)
    services.record_response(recipient=recipients[0], score=10, comment="Nice")
    body = acme_owner.get(f"/api/v1/surveys/{survey.pk}/responses/").json()
    assert "customer" not in body["results"][0]
    assert recipients[0].email not in str(body) and recipients[0].customer_id not in str(body)
    # searching by the customer's e-mail finds nothing either
    assert acme_owner.get(f"/api/v1/surveys/{survey.pk}/responses/?q={recipients[0].email}").json()["count"] == 0


def test_members_read_but_cannot_create_or_send(acme, in_acme):
    user = accounts.add_member(email="reader@acme.example", password="pw-long-enough-123", role="member")
    member = host_client(acme.host, accounts.issue_token(user))
    survey = Survey.objects.create(type="nps", name="Read me")
    assert member.get("/api/v1/surveys/").status_code == 200
    assert member.get(f"/api/v1/surveys/{survey.pk}/").status_code == 200
    assert member.post("/api/v1/surveys/", {"type": "nps", "name": "x"}, format="json").status_code == 403
    assert member.post(f"/api/v1/surveys/{survey.pk}/send/").status_code == 403


def test_another_tenant_sees_nothing(acme_owner, globex_owner, in_acme):
    survey, _ = sent_survey(customers=1)
    assert globex_owner.get(f"/api/v1/surveys/{survey.pk}/").status_code == 404
    assert globex_owner.get(f"/api/v1/surveys/{survey.pk}/responses/").status_code == 404
    assert globex_owner.post(f"/api/v1/surveys/{survey.pk}/send/").status_code == 404
    connection.set_tenant(in_acme.tenant)
    # acme's token on globex's host is rejected outright
    stolen = host_client(globex_owner.defaults["HTTP_HOST"], in_acme.owner_token)
    assert stolen.get("/api/v1/surveys/").status_code == 401


def test_the_survey_paths_are_in_the_openapi_schema(acme_owner, in_acme):
    schema = acme_owner.get("/api/v1/schema/").content.decode()
    for path in ("/api/v1/surveys/", "/api/v1/surveys/{id}/", "/api/v1/surveys/{id}/send/",
                 "/api/v1/surveys/{id}/responses/"):
        assert path in schema
