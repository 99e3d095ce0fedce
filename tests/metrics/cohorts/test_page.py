"""The Cohorts page as a member uses it: the heatmap shaded by direction with its
averages, a cell opening its customers (still paying or gone), the CSV of a cell, bad
input refused on the page, and another company's people kept out."""

from __future__ import annotations

import re

import pytest

from tests.metrics.cohorts.example import build
from tests.metrics.cohorts.test_api import browser_for

JANUARY = {"metric": "customer_retention", "from": "2025-01", "to": "2025-04"}


@pytest.fixture
def owner(in_acme, acme):
    build()
    return browser_for(acme)


def cells(page: str, cohort: str) -> list[tuple[str, str]]:
    row = re.search(rf'<tr data-cohort="{cohort}">(.*?)</tr>', page, re.S).group(1)
    return re.findall(r'<td class="num (heat-[\w-]+)" data-k="\d+"><a [^>]*>([^<]*)</a>', row)


def test_the_heatmap_shows_each_cohort_with_its_size_and_cells_shaded_by_direction(owner):
    page = owner.get("/cohorts/", JANUARY).content.decode()
    assert cells(page, "2025-01") == [("heat-0", "100.0 %"), ("heat-down-3", "75.0 %"),
                                      ("heat-down-3", "75.0 %"), ("heat-0", "100.0 %")]
    assert cells(page, "2025-02") == [("heat-0", "100.0 %")] * 3
    january = re.search(r'<tr data-cohort="2025-01">(.*?)</tr>', page, re.S).group(1)
    assert ">4</td>" in january and "$400.00" in january
    averages = re.search(r'data-testid="cohort-averages">(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r'<td class="num">([^<]*)</td>', averages) == ["100.0 %", "80.0 %", "80.0 %", "100.0 %"]


def test_net_mrr_retention_above_100_percent_is_shaded_as_growth(owner):
    page = owner.get("/cohorts/", {**JANUARY, "metric": "mrr_retention"}).content.decode()
    assert cells(page, "2025-01")[3] == ("heat-up-1", "102.5 %")


def test_a_cell_opens_the_customers_still_paying_and_those_gone(owner):
    page = owner.get("/cohorts/", JANUARY).content.decode()
    link = re.search(r'<tr data-cohort="2025-01">.*?data-k="1"><a href="([^"]+)"', page, re.S).group(1)
    paying = owner.get(link.replace("&amp;", "&")).content.decode()
    assert "January 2025 cohort at the end of February 2025" in paying
    assert "3 customers: still paying" in paying
    assert [name for name in "ABCD" if f'data-label="Name">{name}<' in paying] == ["A", "C", "D"]
    gone = owner.get(link.replace("&amp;", "&") + "&status=gone").content.decode()
    assert "1 customer: not paying" in gone and 'data-label="Name">B<' in gone
    exported = owner.get("/cohorts/customers.csv", {"by": "first_paid_month", "cohort": "2025-01",
                                                   "month": "2025-02", "status": "gone"})
    lines = b"".join(exported.streaming_content).decode().splitlines()
    assert lines[0] == "customer_id,name,segment,country,channel,start_mrr,mrr" and len(lines) == 2
    assert ",B," in lines[1] and lines[1].endswith(",100.0000,0.0000")


def test_a_customer_back_after_leaving_is_in_its_first_cohort_again(owner):
    page = owner.get("/cohorts/customers/", {"cohort": "2025-01", "month": "2025-04"}).content.decode()
    assert "4 customers: still paying" in page


@pytest.mark.parametrize("query", [
    {"cohort": "2025-02", "month": "2025-01"},
    {"cohort": "2025-01", "month": "2025-02", "status": "maybe"},
    {"cohort": "someday", "month": "2025-02"},
    {"month": "2025-02"},
])
def test_a_cell_that_cannot_be_is_not_found(owner, query):
    assert owner.get("/cohorts/customers/", query).status_code == 404


def test_bad_choices_are_named_on_the_page_with_a_400(owner):
    answer = owner.get("/cohorts/", {"metric": "ltv", "from": "2025-04", "to": "2025-01"})
    assert answer.status_code == 400
    assert "metric is one of customer_retention" in answer.content.decode()
    assert owner.get("/cohorts.csv", {"by": "country"}).status_code == 400


def test_another_company_sees_none_of_these_cohorts(owner, globex):
    other = browser_for(globex)
    page = other.get("/cohorts/", JANUARY).content.decode()
    assert "No cohorts" in page and 'data-cohort="2025-01"' not in page
    customers = other.get("/cohorts/customers/", {"cohort": "2025-01", "month": "2025-02"}).content.decode()
    assert "No customers of this cohort" in customers
    # A session of acme means nothing on globex's host: the login page.
    assert owner.get("/cohorts/", JANUARY, HTTP_HOST=globex.host).status_code == 302
