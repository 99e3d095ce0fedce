"""The OpenAPI schema describes the API as it answers (issue 16, finding 8): the KPI
list is a list, every operation documents the errors it can give, dates are dates,
pagination refuses what it cannot use, and a form PATCH cannot blank a goal's owner."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from tests.conftest import host_client
from tests.metrics.goals.builders import make_goal

METHODS = ("get", "post", "put", "patch", "delete")


_served: dict = {}


@pytest.fixture
def schema(acme, db) -> dict:
    """As a tenant host serves it (made once: generating it takes a second or two)."""
    if not _served:
        response = host_client(acme.host).get("/api/v1/schema/", HTTP_ACCEPT="application/json")
        assert response.status_code == 200
        _served.update(json.loads(response.content))
    return _served


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def resolve(schema: dict, body: dict) -> dict:
    ref = body.get("$ref")
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else body


def test_the_kpi_list_is_documented_as_the_list_it_returns(schema, acme_owner):
    documented = schema["paths"]["/api/v1/kpis/"]["get"]["responses"]["200"]["content"]["application/json"]
    assert documented["schema"]["type"] == "array"
    item = resolve(schema, documented["schema"]["items"])
    assert {"key", "name", "unit", "direction", "value", "previous_value", "change", "benchmark",
            "reason"} <= set(item["properties"])
    assert isinstance(acme_owner.get("/api/v1/kpis/?period=2025-01").json(), list)
    for path in ("/api/v1/kpis/{key}/", "/api/v1/kpis/{key}/series/", "/api/v1/kpis/{key}/breakdown/",
                 "/api/v1/kpis/{key}/records/"):
        body = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert resolve(schema, body).get("properties"), path  # a described object, not "any object"


def test_every_operation_documents_the_errors_it_can_answer(schema):
    missing = {}
    for path, method, operation in operations(schema):
        expected = {"400", "403"}
        if path != "/api/v1/auth/token/":
            expected.add("401")
        if "{" in path or any(p["name"] == "page" for p in operation.get("parameters", [])):
            expected.add("404")
        lacking = expected - set(operation["responses"])
        if lacking:
            missing[f"{method.upper()} {path}"] = sorted(lacking)
    assert missing == {}
    error = schema["paths"]["/api/v1/goals/"]["post"]["responses"]["400"]["content"]["application/json"]
    assert "detail" in resolve(schema, error["schema"])["properties"]


@pytest.mark.parametrize(("path", "method", "codes"), [
    ("/api/v1/auth/token/", "post", {"400", "429"}),
    ("/api/v1/surveys/{id}/send/", "post", {"404", "409"}),
    ("/api/v1/imports/{id}/undo/", "post", {"404", "409"}),
    ("/api/v1/data/{kind}/{key}/", "delete", {"404", "409"}),
    ("/api/v1/kpis/recompute/", "post", {"202", "401", "403"}),
])
def test_the_particular_answers_are_documented(schema, path, method, codes):
    assert codes <= set(schema["paths"][path][method]["responses"])


@pytest.mark.parametrize(("path", "names"), [
    ("/api/v1/goals/", {"as_of"}), ("/api/v1/goals/{id}/", {"as_of"}),
    ("/api/v1/data/{kind}/", {"from", "to"}),
])
def test_date_parameters_are_dates(schema, path, names):
    parameters = {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}
    for name in names:
        assert parameters[name]["schema"] == {"type": "string", "format": "date"}, name
        assert parameters[name]["allowEmptyValue"] is True  # blank is "not given", as forms send it


def test_month_parameters_say_their_pattern(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/kpis/{key}/series/"]["get"]["parameters"]}
    assert parameters["from"]["schema"]["pattern"] == parameters["to"]["schema"]["pattern"]


def test_page_parameters_are_bounded_whole_numbers(schema):
    for path in ("/api/v1/imports/", "/api/v1/surveys/", "/api/v1/kpis/{key}/records/"):
        parameters = {p["name"]: p["schema"] for p in schema["paths"][path]["get"]["parameters"]}
        assert parameters["page"] == {"type": "integer", "minimum": 1}, path
        assert parameters["page_size"] == {"type": "integer", "minimum": 1, "maximum": 1000}, path


@pytest.mark.parametrize("query", ["page_size=1.5", "page_size=0", "page_size=-3", "page_size=1001",
                                   "page_size=ten", "page=1.0", "page=0", "page=last"])
def test_a_page_or_page_size_that_is_no_whole_number_in_range_is_a_400(acme_owner, query):
    for path in ("/api/v1/imports/", "/api/v1/surveys/", "/api/v1/kpis/revenue/records/?period=2025-01"):
        response = acme_owner.get(path + ("&" if "?" in path else "?") + query)
        assert response.status_code == 400, (path, query)
        assert query.split("=")[0] in response.json()


def test_a_good_page_size_pages_and_a_blank_one_is_the_default(acme_owner):
    assert acme_owner.get("/api/v1/imports/?page_size=2&page=1").status_code == 200
    assert acme_owner.get("/api/v1/imports/?page_size=&page=").status_code == 200
    assert acme_owner.get("/api/v1/imports/?page=7").status_code == 404  # past the last page


@pytest.mark.parametrize("as_of", ["20260131", "2026-1-31", "2026-02-30", "yesterday"])
def test_an_as_of_that_is_no_date_is_a_400(acme_owner, as_of):
    response = acme_owner.get(f"/api/v1/goals/?as_of={as_of}")
    assert response.status_code == 400 and "as_of" in response.json()


@pytest.mark.parametrize(("kind", "query"), [("customers", "from=2024-13-01"), ("invoices", "to=20240101"),
                                              ("invoices", "from=2024-01-01T00:00")])
def test_a_data_range_that_is_no_date_is_a_400_naming_it(acme_owner, kind, query):
    response = acme_owner.get(f"/api/v1/data/{kind}/?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


def test_an_unknown_goal_status_is_a_400(acme_owner):
    response = acme_owner.get("/api/v1/goals/?status=winning")
    assert response.status_code == 400 and "status" in response.json()


@pytest.fixture
def goal(acme, in_acme):
    made = make_goal(get_user_model().objects.get(username=acme.owner_email))
    connection.set_schema_to_public()
    return made


@pytest.mark.parametrize("field", ["owner", "target_value", "deadline", "title"])
def test_a_form_patch_cannot_blank_a_field_that_cannot_be_blank(acme, goal, field):
    client = host_client(acme.host, acme.owner_token)
    response = client.patch(f"/api/v1/goals/{goal.pk}/", f"{field}=", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400, response.content
    assert response.json() == {field: ["This field may not be blank."]}
    multipart = client.patch(f"/api/v1/goals/{goal.pk}/", {field: ""}, format="multipart")
    assert multipart.status_code == 400
    as_json = client.patch(f"/api/v1/goals/{goal.pk}/", {field: ""}, format="json")
    assert as_json.status_code == 400


def test_a_form_patch_may_still_blank_what_can_be_blank(acme, goal):
    client = host_client(acme.host, acme.owner_token)
    response = client.patch(f"/api/v1/goals/{goal.pk}/", "why=", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200 and response.json()["why"] == ""


@pytest.mark.parametrize("path", ["/api/v1/nothing-here/", "/api/v1/goals/not-a-number/", "/api/v1/imports/x/undo/"])
def test_an_api_path_that_names_no_endpoint_answers_json(acme_owner, path):
    response = acme_owner.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json" and response.json() == {"detail": "Not found."}


def test_a_page_that_does_not_exist_is_still_the_page(acme, db):
    response = host_client(acme.host).get("/no-such-page/")
    assert response.status_code == 404 and b"Error 404" in response.content


@pytest.mark.parametrize("value", [0, 1, "yes", "true", "on"])
@pytest.mark.parametrize(("method", "path", "body", "field"), [
    ("post", "/api/v1/tokens/", {"name": "ci"}, "read_only"),
    ("patch", "/api/v1/security/two-factor/", {}, "require_two_factor"),
    ("post", "/api/v1/surveys/", {"type": "nps", "name": "Q1"}, "anonymous"),
])
def test_a_json_boolean_is_true_or_false(acme_owner, method, path, body, field, value):
    """The long fuzzing run's finding: {"read_only": 0} made a token (docs/fuzzing.md)."""
    response = getattr(acme_owner, method)(path, {**body, field: value}, format="json")
    assert response.status_code == 400, response.content
    assert response.json() == {field: ["Must be true or false."]}


@pytest.mark.parametrize(("path", "body", "field", "message"), [
    ("/api/v1/tokens/", {"name": 0}, "name", "Must be a string."),
    ("/api/v1/surveys/", {"type": "nps", "name": 12.5}, "name", "Must be a string."),
    ("/api/v1/surveys/", {"type": "nps", "name": "Q1", "throttle_days": "30"}, "throttle_days",
     "Must be a whole number."),
    ("/api/v1/surveys/", {"type": "nps", "name": "Q1", "throttle_days": True}, "throttle_days",
     "Must be a whole number."),
    ("/api/v1/goals/", {"kpi": 7, "target_value": "5", "deadline": "2030-01-31"}, "kpi", "Must be a string."),
])
def test_json_text_and_numbers_have_the_schemas_types(acme_owner, path, body, field, message):
    """The second long run's finding: {"name": 0} made a token named "0"."""
    response = acme_owner.post(path, body, format="json")
    assert response.status_code == 400, response.content
    assert response.json() == {field: [message]}


def test_a_json_boolean_and_a_forms_text_still_work(acme_owner):
    assert acme_owner.post("/api/v1/tokens/", {"name": "ci", "read_only": True}, format="json").status_code == 201
    made = acme_owner.post("/api/v1/tokens/", "name=form&read_only=true",
                           content_type="application/x-www-form-urlencoded")
    assert made.status_code == 201 and made.json()["read_only"] is True
