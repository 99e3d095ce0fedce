"""GET /api/v1/cohorts/ (api.md): the matrix's shape, the same figures as the page and
its CSV, bad parameters answered 400 with the field named, and never another company's
customers."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from tests.conftest import host_client
from tests.metrics.cohorts.example import build

URL = "/api/v1/cohorts/"


def browser_for(handle) -> Client:
    """The owner signed in on the company's pages (the session in its schema)."""
    connection.set_tenant(handle.tenant)
    client = Client(HTTP_HOST=handle.host)
    client.force_login(get_user_model().objects.get(username=handle.owner_email))
    connection.set_schema_to_public()
    return client


@pytest.fixture
def example(in_acme):
    build()
    connection.set_schema_to_public()


def test_the_api_answers_the_matrix_in_the_documented_shape(example, acme_owner):
    answer = acme_owner.get(URL, {"metric": "mrr_retention", "from": "2025-01", "to": "2025-04"})
    assert answer.status_code == 200
    assert answer.json() == {"metric": "mrr_retention", "by": "first_paid_month", "unit": "percent", "cohorts": [
        {"cohort": "2025-01", "size": 4, "start_mrr": 400, "values": [100, 87.5, 77.5, 102.5]},
        {"cohort": "2025-02", "size": 1, "start_mrr": 200, "values": [100, 100, 100]}]}


def test_by_default_customer_retention_by_first_paid_month_up_to_the_last_month_with_data(example, acme_owner):
    body = acme_owner.get(URL).json()
    assert (body["metric"], body["by"], body["unit"]) == ("customer_retention", "first_paid_month", "percent")
    assert [(row["cohort"], row["values"]) for row in body["cohorts"]] == [
        ("2025-01", [100, 75, 75, 100]), ("2025-02", [100, 100, 100])]


def test_arpu_is_money_and_null_where_a_cohort_has_no_customer_paying(in_acme, acme_owner):
    build()
    body = acme_owner.get(URL, {"metric": "arpu", "by": "signup_month", "from": "2024-12", "to": "2025-02"}).json()
    assert body["unit"] == "money"
    assert body["cohorts"][0] == {"cohort": "2024-12", "size": 2, "start_mrr": 0, "values": [None, 100, 100]}


@pytest.mark.parametrize("params, field", [
    ({"metric": "ltv"}, "metric"),
    ({"by": "country"}, "by"),
    ({"from": "2025-13"}, "from"),
    ({"to": "last year"}, "to"),
    ({"from": "2025-04", "to": "2025-01"}, "from"),
    ({"from": "2000-01", "to": "2025-01"}, "to"),
])
def test_a_bad_parameter_is_a_400_naming_it(example, acme_owner, params, field):
    answer = acme_owner.get(URL, params)
    assert answer.status_code == 400
    assert field in answer.json()


def test_a_company_without_subscriptions_has_no_cohorts(db, globex_owner):
    assert globex_owner.get(URL).json()["cohorts"] == []


def test_another_company_never_sees_the_cohorts_nor_their_customers(example, acme, globex, globex_owner):
    assert globex_owner.get(URL, {"from": "2025-01", "to": "2025-04"}).json()["cohorts"] == []
    # acme's token means nothing on globex's host, nor globex's on acme's.
    assert host_client(globex.host, acme.owner_token).get(URL).status_code == 401
    assert host_client(acme.host, globex.owner_token).get(URL).status_code == 401


def test_signed_out_is_a_401(example, acme_client):
    assert acme_client.get(URL).status_code == 401


def test_the_page_the_csv_and_the_api_give_the_same_figures(example, acme, acme_owner):
    page_client = browser_for(acme)
    query = {"metric": "arpu", "from": "2025-01", "to": "2025-04"}
    api = acme_owner.get(URL, query).json()
    exported = page_client.get("/cohorts.csv", query)
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode())))
    assert rows[0] == ["cohort", "size", "start_mrr", "month_0", "month_1", "month_2", "month_3"]
    for row, cohort in zip(rows[1:], api["cohorts"]):
        assert row[0] == cohort["cohort"] and int(row[1]) == cohort["size"]
        assert [float(v) if v else None for v in row[3:3 + len(cohort["values"])]] == cohort["values"]
    assert rows[-1][0] == "average"
    page = page_client.get("/cohorts/", query).content.decode()
    for text in ("$100.00", "$116.67", "$103.33", "$102.50", "$200.00"):
        assert text in page
