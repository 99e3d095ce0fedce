"""OPTIONS on every endpoint of the API answers, for an owner, a member and a visitor
who is not signed in: never a 500 (issue 16, finding 5: ``/api/v1/surveys/{id}/send/``
answered 500 to an owner or admin)."""

from __future__ import annotations

import re
import uuid

import pytest
from django.db import connection

from accounts.models import Member
from accounts.services import add_member, issue_token
from kpihub.urls import api_v1
from surveys.models import Survey
from tests.conftest import host_client

# A value for each path converter, so every route resolves to its view.
VALUES = {"int": "1", "uuid": str(uuid.uuid4()), "slug": "mrr", "str": "customers", "path": "c1"}


def concrete(route: str) -> str:
    return "/api/v1/" + re.sub(r"<(\w+):\w+>", lambda match: VALUES[match.group(1)], route)


ROUTES = [concrete(str(pattern.pattern)) for pattern in api_v1.urlpatterns]


def test_every_route_of_the_urlconf_is_tried():
    assert len(ROUTES) == len(api_v1.urlpatterns) >= 25
    assert "/api/v1/surveys/1/send/" in ROUTES and not any("<" in route for route in ROUTES)


@pytest.fixture
def clients(acme, in_acme):
    Survey.objects.create(pk=1, type="nps", name="For OPTIONS", base_url="http://acme.localhost/")
    member = add_member(email="options-member@acme.example", password="member-pass-9876",
                        role=Member.Role.MEMBER)
    member_token = issue_token(member)
    connection.set_schema_to_public()
    return {"owner": host_client(acme.host, acme.owner_token),
            "member": host_client(acme.host, member_token),
            "anonymous": host_client(acme.host)}


@pytest.mark.parametrize("who", ["owner", "member", "anonymous"])
def test_options_answers_on_every_endpoint(clients, who):
    answers = {route: clients[who].options(route) for route in ROUTES}
    errors = {route: answer.status_code for route, answer in answers.items() if answer.status_code >= 500}
    assert errors == {}
    for route, answer in answers.items():
        assert answer.status_code in (200, 401, 403, 404, 405), (route, answer.status_code)


def test_options_on_sending_a_survey_describes_the_endpoint_for_an_owner(clients):
    answer = clients["owner"].options("/api/v1/surveys/1/send/")
    assert answer.status_code == 200
    body = answer.json()
    assert body["name"] and "application/json" in body["renders"]
