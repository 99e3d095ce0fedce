"""``filter=`` on the Data page, its CSV and ``GET /api/v1/data/{kind}/`` (issue 18, item
3: a filter applies to customer lists too): the segment's customers' records only, a plan
keeping only the subscriptions on it, kinds without customers refusing to follow, a wrong
filter a 400, and another company's customers and attributes never reachable."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from decimal import Decimal
from html import unescape
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from metrics.models import Customer, ImportedSurveyResponse
from tests.metrics.kpis.builders import invoice, subscription, ticket, traffic
from tests.metrics.imports.test_pages import browser_for

JAN = date(2025, 1, 1)
NOON = datetime(2025, 1, 10, 12, tzinfo=ZoneInfo("UTC"))
PRO_IN_GERMANY = "plan:pro,country:DE"


def _ids(rows: list[dict], column: str) -> list[str]:
    return sorted(row[column] for row in rows)


def _listed(client, kind: str, **params) -> list[dict]:
    response = client.get(f"/api/v1/data/{kind}/", {**params, "page_size": 100})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def _exported(browser, kind: str, **params) -> list[dict]:
    response = browser.get(f"/data/{kind}/export.csv", params)
    assert response.status_code == 200, response.content
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def build_three_customers() -> None:
    """In the current schema: Anna and Bert in Germany on pro (Anna also on basic),
    Chloe in France on pro; each with an invoice, Anna and Chloe with a ticket and an
    answer; an invoice and an answer of no customer; a day of traffic."""
    anna, bert, chloe = Customer.objects.bulk_create([
        Customer(customer_id="anna", name="Anna", country="DE", attributes={"industry": "retail"}),
        Customer(customer_id="bert", name="Bert", country="DE"),
        Customer(customer_id="chloe", name="Chloe", country="FR"),
    ])
    for person, plans in ((anna, ("pro", "basic")), (bert, ("pro",)), (chloe, ("pro",))):
        for plan in plans:
            subscription(person, JAN, plan=plan, amount="50" if plan == "basic" else "100")
        invoice(JAN, "100", customer=person)
    invoice(JAN, "7", customer=None)  # no customer: in no segment
    for person in (anna, chloe):
        ticket(NOON, customer_id=person.customer_id)
    ImportedSurveyResponse.objects.bulk_create([
        ImportedSurveyResponse(response_id=f"r-{who}", survey_type="nps", score=9, responded_at=NOON,
                               customer_id=who, email="" if who else "someone@example.com")
        for who in ("anna", "chloe", "")])
    traffic(JAN, 300)


@pytest.fixture
def three_customers(in_acme):
    build_three_customers()
    connection.set_schema_to_public()
    return in_acme


@pytest.fixture
def owner_browser(three_customers):
    browser = browser_for(three_customers, three_customers.owner_email)
    connection.set_schema_to_public()
    return browser


def test_the_customers_subscriptions_and_invoices_of_pro_in_germany_are_annas_and_berts(three_customers, acme_owner,
                                                                                     owner_browser):
    customers = _listed(acme_owner, "customers", filter=PRO_IN_GERMANY)
    assert _ids(customers, "customer_id") == ["anna", "bert"]
    subscriptions = _listed(acme_owner, "subscriptions", filter=PRO_IN_GERMANY)
    # Anna's basic subscription is not on pro: the engine's rule keeps the matching ones.
    assert [(row["customer_id"], row["plan"]) for row in sorted(subscriptions, key=lambda r: r["customer_id"])] == [
        ("anna", "pro"), ("bert", "pro")]
    invoices = _listed(acme_owner, "invoices", filter=PRO_IN_GERMANY)
    assert _ids(invoices, "customer_id") == ["anna", "bert"]
    assert [Decimal(row["amount"]) for row in invoices] == [Decimal(100), Decimal(100)]
    for kind, column in (("customers", "customer_id"), ("subscriptions", "customer_id"), ("invoices", "customer_id")):
        assert _ids(_exported(owner_browser, kind, filter=PRO_IN_GERMANY), column) == _ids(
            _listed(acme_owner, kind, filter=PRO_IN_GERMANY), column)
    # The count is the segment's too, and without a filter everything is listed.
    assert acme_owner.get("/api/v1/data/invoices/", {"filter": PRO_IN_GERMANY}).json()["count"] == 2
    assert acme_owner.get("/api/v1/data/invoices/").json()["count"] == 4


def test_tickets_and_survey_answers_follow_their_customer(three_customers, acme_owner, owner_browser):
    assert _ids(_listed(acme_owner, "tickets", filter="country:DE"), "customer_id") == ["anna"]
    assert _ids(_listed(acme_owner, "survey_responses", filter="country:FR"), "customer_id") == ["chloe"]
    assert _ids(_exported(owner_browser, "survey_responses", filter="plan:pro"), "customer_id") == ["anna", "chloe"]


def test_a_plan_filter_keeps_only_the_subscriptions_on_that_plan(three_customers, acme_owner, owner_browser):
    assert {row["plan"] for row in _listed(acme_owner, "subscriptions", filter="plan:pro")} == {"pro"}
    assert len(_listed(acme_owner, "subscriptions", filter="plan:pro")) == 3
    basic = _listed(acme_owner, "subscriptions", filter="plan:basic")
    assert [(row["customer_id"], row["plan"]) for row in basic] == [("anna", "basic")]
    page = owner_browser.get("/data/subscriptions/", {"filter": "plan:basic"})
    assert page.status_code == 200
    assert page.context["page"].paginator.count == 1 and "basic" in page.content.decode()
    # The customers having a basic subscription: Anna alone, with all her invoices.
    assert _ids(_listed(acme_owner, "invoices", filter="plan:basic"), "customer_id") == ["anna"]


def test_the_page_lists_the_segment_and_its_links_carry_the_filter(three_customers, owner_browser):
    page = owner_browser.get("/data/customers/", {"filter": PRO_IN_GERMANY, "q": "de"})
    assert page.status_code == 200
    assert [row[0] for row in page.context["table"]] == ["anna", "bert"]
    html = page.content.decode()
    assert "chloe" not in html and 'data-testid="filter-active"' in html
    export_link = re.search(r'href="(/data/customers/export\.csv\?[^"]*)"', html).group(1)
    assert parse_qs(urlsplit(unescape(export_link)).query) == {"filter": [PRO_IN_GERMANY], "q": ["de"]}
    # The other kinds that follow keep the filter; traffic, which cannot, does not.
    assert '/data/invoices/?filter=plan%3Apro%2Ccountry%3ADE"' in html
    assert '/data/traffic/"' in html


@pytest.mark.parametrize("kind", ["traffic", "expenses", "leads", "metric_values", "fx_rates"])
def test_kinds_without_customers_say_they_cannot_follow_a_filter(kind, three_customers, acme_owner, owner_browser):
    response = acme_owner.get(f"/api/v1/data/{kind}/", {"filter": "country:DE"})
    assert response.status_code == 400
    assert "cannot follow a customer filter" in response.json()["filter"][0]
    page = owner_browser.get(f"/data/{kind}/", {"filter": "country:DE"})
    assert page.status_code == 400
    assert "cannot follow a customer filter" in page.content.decode() and not page.context["table"]
    exported = owner_browser.get(f"/data/{kind}/export.csv", {"filter": "country:DE"})
    assert exported.status_code == 400 and b"cannot follow a customer filter" in exported.content
    # Without a filter the kind lists as before.
    assert acme_owner.get(f"/api/v1/data/{kind}/").status_code == 200


def test_a_wrong_filter_is_a_400_that_says_why_and_lists_nothing(three_customers, acme_owner, owner_browser):
    for wrong in ("colour:red", "plan", "plan:", "plan:pro,plan:basic", "plan:\x00"):
        response = acme_owner.get("/api/v1/data/customers/", {"filter": wrong})
        assert response.status_code == 400, wrong
        assert "filter" in response.json()
    page = owner_browser.get("/data/customers/", {"filter": "colour:red"})
    assert page.status_code == 400
    html = page.content.decode()
    assert "Unknown attribute" in html and "industry" in html and not page.context["table"]
    exported = owner_browser.get("/data/invoices/export.csv", {"filter": "colour:red"})
    assert exported.status_code == 400 and b"Unknown attribute" in exported.content


def test_an_extra_customer_column_filters_the_records(three_customers, acme_owner):
    assert _ids(_listed(acme_owner, "invoices", filter="industry:retail"), "customer_id") == ["anna"]


def test_another_companys_customers_are_never_listed_and_its_columns_are_unknown(three_customers, acme_owner,
                                                                              globex, globex_owner):
    connection.set_tenant(globex.tenant)
    dieter = Customer.objects.create(customer_id="dieter", country="DE", attributes={"tier": "gold"})
    subscription(dieter, JAN, plan="pro")
    connection.set_schema_to_public()
    # Each company's segment is its own customers.
    assert _ids(_listed(globex_owner, "customers", filter=PRO_IN_GERMANY), "customer_id") == ["dieter"]
    assert _ids(_listed(acme_owner, "customers", filter=PRO_IN_GERMANY), "customer_id") == ["anna", "bert"]
    assert _ids(_listed(acme_owner, "subscriptions", filter="plan:pro"), "customer_id") == ["anna", "bert", "chloe"]
    # One company's extra column is no attribute of the other's, either way.
    refused = acme_owner.get("/api/v1/data/customers/", {"filter": "tier:gold"})
    assert refused.status_code == 400 and "Unknown attribute 'tier'" in refused.json()["filter"][0]
    refused = globex_owner.get("/api/v1/data/customers/", {"filter": "industry:retail"})
    assert refused.status_code == 400
    assert "industry" not in refused.json()["filter"][0].split("known attributes")[1]


def test_a_segment_is_counted_and_paged_by_subqueries_not_by_a_query_or_an_id_per_row(three_customers, acme_owner):
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    def statements(filter_text: str) -> list[str]:
        with CaptureQueriesContext(db) as captured:
            assert acme_owner.get("/api/v1/data/invoices/", {"filter": filter_text}).status_code == 200
        return [query["sql"] for query in captured.captured_queries]

    statements("country:DE")  # the first request of a token notes its use
    few = statements("country:DE")
    connection.set_tenant(three_customers.tenant)
    more = Customer.objects.bulk_create([Customer(customer_id=f"de-{n}", country="DE") for n in range(60)])
    for person in more:
        invoice(JAN, "1", customer=person)
    connection.set_schema_to_public()
    many = statements("country:DE")
    assert acme_owner.get("/api/v1/data/invoices/", {"filter": "country:DE"}).json()["count"] == 62
    assert len(many) == len(few)
    # The segment's customers are never spelled out as ids in a statement.
    assert not any("de-1" in sql or "'anna'" in sql for sql in many)


def test_the_schema_declares_filter_on_the_data_list_so_the_fuzzer_sends_it(db, acme):
    from tests.fuzzing.test_api_fuzzing import served_schema

    operation = served_schema(acme)["paths"]["/api/v1/data/{kind}/"]["get"]
    declared = {parameter["name"]: parameter for parameter in operation["parameters"]}
    assert "filter" in declared and "cannot follow" in declared["filter"]["description"]
