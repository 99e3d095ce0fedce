"""``filter=`` on the cohorts everywhere: the API, the page (heatmap links and CSV
buttons carry it), the cell drill-down and its CSV, /cohorts.csv; wrong filters refused
with why; another company's filters and saved segments never reach across."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import pytest
from django.db import connection

from metrics.models import Customer, SavedSegment
from tests.metrics.cohorts.test_api import URL, browser_for
from tests.metrics.cohorts.test_filters import build_in_countries
from tests.metrics.kpis.builders import customer, subscription
from tests.metrics.cohorts.example import JAN

SPAN = {"from": "2025-01", "to": "2025-04"}
FRANCE = {**SPAN, "metric": "mrr_retention", "filter": "country:FR"}


@pytest.fixture
def example(in_acme):
    build_in_countries()
    connection.set_schema_to_public()


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.content
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def links(page: str) -> list[str]:
    return [unescape(href) for href in re.findall(r'href="(/cohorts[^"]*)"', page)]


def test_the_api_answers_the_segments_cohorts(example, acme_owner):
    body = acme_owner.get(URL, FRANCE).json()
    assert body["cohorts"] == [
        {"cohort": "2025-01", "size": 2, "start_mrr": 200, "values": [100, 125, 105, 105]},
        {"cohort": "2025-02", "size": 1, "start_mrr": 200, "values": [100, 100, 100]}]
    germany = acme_owner.get(URL, {**SPAN, "filter": "country:de"}).json()  # countries read upper-case
    assert [(row["cohort"], row["size"], row["values"]) for row in germany["cohorts"]] == [
        ("2025-01", 2, [100, 50, 50, 100])]


def test_the_page_the_csv_and_the_api_give_the_same_filtered_figures(example, acme, acme_owner):
    api = acme_owner.get(URL, FRANCE).json()
    owner = browser_for(acme)
    answer = owner.get("/cohorts/", FRANCE)
    assert answer.status_code == 200
    page = answer.content.decode()
    assert 'data-testid="filter-active"' in page and "country:FR" in page
    january = re.search(r'<tr data-cohort="2025-01">(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r'data-k="\d+"><a [^>]*>([^<]*)</a>', january) == ["100.0 %", "125.0 %", "105.0 %", "105.0 %"]
    assert ">2</td>" in january and "$200.00" in january
    # Every cell link and the CSV button carry the filter.
    cell_links = [link for link in links(page) if link.startswith("/cohorts/customers/")]
    assert len(cell_links) == 7 and all(link.endswith("&filter=country%3AFR") for link in cell_links)
    [csv_link] = [link for link in links(page) if link.startswith("/cohorts.csv")]
    rows = csv_rows(owner.get(csv_link))
    for row, cohort in zip(rows[1:], api["cohorts"]):
        assert (row[0], int(row[1])) == (cohort["cohort"], cohort["size"])
        assert [float(v) for v in row[3:3 + len(cohort["values"])]] == cohort["values"]
    assert rows[-1][:4] == ["average", "3", "400.0000", "100.0000"]
    # The metric form keeps the filter too.
    assert '<input type="hidden" name="filter" value="country:FR">' in page


def test_a_cell_opens_the_segments_customers_and_its_csv(example, acme):
    owner = browser_for(acme)
    page = owner.get("/cohorts/", FRANCE).content.decode()
    link = [link for link in links(page) if "cohort=2025-01&month=2025-02" in link][0]
    paying = owner.get(link).content.decode()
    assert "2 customers: still paying" in paying
    assert [name for name in "ABCDE" if f'data-label="Name">{name}<' in paying] == ["C", "D"]
    # The status switch, the CSV button and the way back keep the filter.
    hrefs = links(paying)
    assert all("filter=country%3AFR" in href for href in hrefs if href != "/cohorts/"), hrefs  # the menu's
    [csv_link] = [href for href in hrefs if href.startswith("/cohorts/customers.csv")]
    rows = csv_rows(owner.get(csv_link))
    assert sorted(row[1] for row in rows[1:]) == ["C", "D"]
    gone = owner.get("/cohorts/customers.csv", {"cohort": "2025-01", "month": "2025-02", "status": "gone",
                                                "filter": "country:DE"})
    assert [row[1] for row in csv_rows(gone)[1:]] == ["B"]


@pytest.mark.parametrize("text, why", [
    ("planet:mars", "Unknown attribute 'planet'"),
    ("country", "Write each condition as attribute:value1|value2"),
    ("country:DE,country:FR", "country appears twice"),
    ("plan:", "plan has an empty value"),
])
def test_a_wrong_filter_is_a_400_saying_why_everywhere(example, acme, acme_owner, text, why):
    answer = acme_owner.get(URL, {**SPAN, "filter": text})
    assert answer.status_code == 400 and why in answer.json()["filter"][0]
    owner = browser_for(acme)
    cell = {"cohort": "2025-01", "month": "2025-02", "filter": text}
    for path, params in (("/cohorts/", {**SPAN, "filter": text}), ("/cohorts.csv", {**SPAN, "filter": text}),
                         ("/cohorts/customers/", cell), ("/cohorts/customers.csv", cell)):
        answer = owner.get(path, params)
        assert answer.status_code == 400, path
        assert answer["Content-Type"].startswith("text/html"), path  # never a CSV of the whole company
        assert 'data-testid="filter-error"' in answer.content.decode() and why in unescape(answer.content.decode())


def test_a_bad_filter_and_a_bad_metric_are_named_in_one_400(example, acme_owner):
    answer = acme_owner.get(URL, {"metric": "ltv", "filter": "planet:mars"})
    assert answer.status_code == 400 and set(answer.json()) == {"metric", "filter"}


@pytest.fixture
def globex_in_germany(globex):
    """globex: a German customer with an extra column (tier) and a saved segment."""
    connection.set_tenant(globex.tenant)
    person = customer(name="Globex GmbH", country="DE", attributes={"tier": "gold"})
    subscription(person, JAN.replace(day=3), amount="999")
    SavedSegment.objects.create(name="Globex gold", filter="tier:gold")
    connection.set_schema_to_public()
    return globex


def test_filters_and_saved_segments_never_cross_companies(example, acme, acme_owner, globex_in_germany, globex_owner):
    # globex's German customer is not in acme's German cohort, nor acme's in globex's.
    germany = acme_owner.get(URL, {**SPAN, "filter": "country:DE"}).json()["cohorts"]
    assert [(row["cohort"], row["size"], row["start_mrr"]) for row in germany] == [("2025-01", 2, 200)]
    theirs = globex_owner.get(URL, {**SPAN, "filter": "country:DE"}).json()["cohorts"]
    assert [(row["cohort"], row["size"], row["start_mrr"]) for row in theirs] == [("2025-01", 1, 999)]
    # globex's extra column is no attribute of acme's: a 400, not an empty segment.
    answer = acme_owner.get(URL, {"filter": "tier:gold"})
    assert answer.status_code == 400 and "Unknown attribute 'tier'" in answer.json()["filter"][0]
    # globex's saved segment is not offered on acme's page.
    page = browser_for(acme).get("/cohorts/", SPAN).content.decode()
    assert "Globex gold" not in page and "tier:gold" not in page
    assert "Globex gold" in browser_for(globex_in_germany).get("/cohorts/", SPAN).content.decode()


def test_a_drill_down_of_another_companys_cell_shows_none_of_its_customers(example, acme, globex_in_germany):
    # acme's January cohort of Germans, asked on globex's host: globex's own German only.
    other = browser_for(globex_in_germany)
    cell = {"cohort": "2025-01", "month": "2025-02", "filter": "country:DE"}
    page = other.get("/cohorts/customers/", cell).content.decode()
    assert "1 customer: still paying" in page and "Globex GmbH" in page
    assert not re.search(r'data-label="Name">[AB]<', page)
    gone = other.get("/cohorts/customers/", {**cell, "status": "gone"}).content.decode()
    assert "No customers of this cohort" in gone  # acme's B is not globex's
    rows = csv_rows(other.get("/cohorts/customers.csv", cell))
    assert [row[1] for row in rows[1:]] == ["Globex GmbH"]
    connection.set_tenant(acme.tenant)
    names = set(Customer.objects.values_list("name", flat=True))
    connection.set_schema_to_public()
    assert "Globex GmbH" not in names
