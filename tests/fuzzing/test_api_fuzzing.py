"""The tenant API fuzzed from its own OpenAPI schema (issue 16, item 13): schemathesis
generates requests for every operation of ``/api/v1/schema/`` (valid ones, and invalid
ones that must be refused), sends them with an owner's token, a member's token and no
token at all (a stranger may only be refused) to the real application
(in-process WSGI, the test database, the test's transaction) and checks each answer: no
server error, a documented status code and content type, a body that matches the
schema, and invalid input refused.

Bounded and repeatable in `make test`: EXAMPLES per operation from Hypothesis,
derandomized (the same cases on every run), schemathesis' coverage phase off. The
longer run by hand turns both up (docs/fuzzing.md):

    KPIHUB_FUZZ_EXAMPLES=100 KPIHUB_FUZZ_COVERAGE=1 make test PYTEST_ARGS="tests/fuzzing -s"
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, connection
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import Member
from accounts.services import add_member, issue_token
from kpihub.urls import api_v1
from tests.conftest import host_client

EXAMPLES = int(os.environ.get("KPIHUB_FUZZ_EXAMPLES", "8"))
COVERAGE = os.environ.get("KPIHUB_FUZZ_COVERAGE", "0") == "1"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, negative_data_rejection]
sent: Counter = Counter()


def served_schema(acme) -> dict:
    response = host_client(acme.host).get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return json.loads(response.content)


@pytest.fixture
def api_schema(db, acme):
    """The schema as a tenant host serves it, and the WSGI application to send to. The
    connection stays open across the application's requests (as Django's test client
    keeps it), so every case runs inside the test's transaction, rolled back after."""
    config = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": COVERAGE}}})
    schema = schemathesis.openapi.from_dict(served_schema(acme), config=config)
    schema.app = get_wsgi_application()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield schema
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(scope="module", autouse=True)
def _figures():
    yield
    if sent:
        print(f"\nfuzzing: {sum(sent.values())} requests over {len(sent)} method and path pairs "
              f"({EXAMPLES} examples each, coverage phase {'on' if COVERAGE else 'off'})")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_the_api_answers_every_generated_request_as_its_schema_says(case, acme):
    sent[f"{case.method} {case.path}"] += 1
    case.call_and_validate(base_url=f"http://{acme.host}", checks=CHECKS,
                           headers={"Authorization": f"Token {acme.owner_token}"})


@pytest.fixture
def member_token(acme) -> str:
    """A member of acme (the role with the least rights), with a token of their own."""
    connection.set_tenant(acme.tenant)
    try:
        user = add_member(email="fuzz-member@acme.example", password="member-pass-9876", role=Member.Role.MEMBER)
        return issue_token(user)
    finally:
        connection.set_schema_to_public()


# A member and a stranger are refused most writes before any input is read, so fewer
# cases per operation find what there is to find: a refusal the schema does not
# document, or a 500 on the way to it.
OTHERS_EXAMPLES = max(1, EXAMPLES // 2)


@schema.parametrize()
@settings(max_examples=OTHERS_EXAMPLES, derandomize=True, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_a_member_gets_answers_or_refusals_the_schema_documents(case, acme, member_token):
    sent[f"{case.method} {case.path} (member)"] += 1
    case.call_and_validate(base_url=f"http://{acme.host}", checks=CHECKS,
                           headers={"Authorization": f"Token {member_token}"})


@schema.parametrize()
@settings(max_examples=OTHERS_EXAMPLES, derandomize=True, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_a_stranger_without_a_token_gets_only_documented_refusals(case, acme):
    sent[f"{case.method} {case.path} (anonymous)"] += 1
    response = case.call(base_url=f"http://{acme.host}")
    case.validate_response(response, checks=CHECKS)
    if case.path not in PUBLIC_OPERATIONS:
        # Refused: 401, or a 400 for a request malformed before anyone is asked who sent it
        # (text no column can hold, kpihub/bad_input.py); never an answer with data.
        assert response.status_code >= 400, (case.method, case.path, response.status_code)


# What a stranger may call on a company's host: the token endpoint (that is how one
# gets a token).
PUBLIC_OPERATIONS = {"/api/v1/auth/token/"}


def test_every_endpoint_is_in_the_schema_the_fuzzer_reads(acme, db):
    """Nothing escapes the fuzzer by being left out of the schema."""
    documented = set(served_schema(acme)["paths"])
    routes = {"/api/v1/" + re.sub(r"<\w+:(\w+)>", r"{\1}", str(pattern.pattern)).replace("{pk}", "{id}")
              for pattern in api_v1.urlpatterns}
    assert routes - documented == {"/api/v1/schema/", "/api/v1/docs/"}
