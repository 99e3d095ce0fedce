"""The filter bar suggests the company's own values: ``attribute:value`` for the plans,
channels, countries, segments, currencies and intervals its customers and subscriptions
have, beside its saved segments; another company's values never appear, and every
suggestion applied is a filtered page."""

import re
from datetime import date
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics.models import SavedSegment
from metrics.segments import selectors
from tests.metrics.dashboard.conftest import logged_in
from tests.metrics.kpis.builders import customer, customers, recompute, subscription

JAN = date(2025, 1, 1)


@pytest.fixture
def two_companies(in_acme, globex):
    """Acme: Germany and France, pro and basic, one euro yearly subscription, a saved
    segment. Globex: a Japanese customer on its own plan."""
    subscription(customer(country="DE", channel="paid", segment="smb"), JAN, amount="100", plan="pro")
    subscription(customer(country="FR", channel="organic", segment="smb"), JAN, amount="40", plan="basic",
                 currency="EUR", interval="year")
    SavedSegment.objects.create(name="Germans", filter="country:DE")
    recompute()
    connection.set_tenant(globex.tenant)
    subscription(customer(country="JP", channel="partner", segment="enterprise"), JAN, amount="900",
                 plan="globex-gold")
    recompute()
    connection.set_schema_to_public()
    return in_acme, globex


def offered(html: str) -> list[str]:
    """The options of the filter bar's datalist, which the input's list= must name."""
    html = unescape(html)
    assert len(re.findall(r'\sid="filter-suggestions"', html)) == 1
    assert 'id="filter-text"' in html and 'list="filter-suggestions"' in html
    datalist = re.search(r'<datalist id="filter-suggestions".*?</datalist>', html, re.S).group(0)
    return re.findall(r'<option value="([^"]*)"', datalist)


def test_the_bar_offers_the_companys_values_and_saved_segments_and_never_anothers(two_companies):
    acme, globex = two_companies
    acme_offers = offered(logged_in(acme).get("/").content.decode())
    assert acme_offers == ["country:DE",  # the saved segment first
                           "plan:basic", "plan:pro", "channel:organic", "channel:paid", "country:DE", "country:FR",
                           "segment:smb", "currency:EUR", "currency:USD", "interval:month", "interval:year"]
    globex_offers = offered(logged_in(globex).get("/kpis/mrr/").content.decode())
    assert "country:JP" in globex_offers and "plan:globex-gold" in globex_offers
    assert not {"country:DE", "country:FR", "plan:pro"} & set(globex_offers)
    assert not {"country:JP", "plan:globex-gold", "channel:partner"} & set(acme_offers)


def test_every_suggestion_applied_is_a_filtered_page(two_companies):
    acme, _ = two_companies
    owner = logged_in(acme)
    for suggestion in offered(owner.get("/").content.decode()):
        page = owner.get("/kpis/mrr/", {"filter": suggestion})
        assert page.status_code == 200, suggestion
        assert 'data-testid="filter-active"' in page.content.decode()
    filtered = unescape(owner.get("/", {"filter": "country:FR"}).content.decode())
    assert "Showing customers where <code>country:FR</code>" in filtered
    # Another company's value is no filter here: it matches none of acme's customers.
    assert "country:JP" not in offered(filtered)


def test_the_segments_page_offers_the_same_values_to_both_sides(two_companies):
    acme, _ = two_companies
    html = unescape(logged_in(acme).get("/kpis/mrr/segments/").content.decode())
    assert html.count('list="segment-suggestions"') == 2 and len(re.findall(r'\sid="segment-suggestions"', html)) == 1
    assert '<option value="plan:pro">' in html and "JP" not in html


def test_values_the_syntax_cannot_spell_are_not_offered_and_each_attribute_keeps_its_commonest_fifty(in_acme):
    customers(3, channel="paid")
    for index in range(60):
        customer(channel=f"channel-{index:02d}")
    customer(segment="a,b")
    customer(segment=" padded ")
    customer(segment="a|b")
    recompute()
    suggestions = selectors.filter_suggestions().values
    channels = [value for attribute, value in suggestions if attribute == "channel"]
    assert len(channels) == selectors.SUGGESTED_VALUES and "paid" in channels
    assert not [value for attribute, value in suggestions if attribute == "segment"]


def test_the_suggestions_are_read_in_one_query_and_kept_until_the_next_recompute(in_acme):
    subscription(customer(country="DE"), JAN, plan="pro")
    recompute()
    with CaptureQueriesContext(connection) as first:
        assert ("country", "DE") in selectors.filter_suggestions().values
    assert sum("GROUPING SETS" in query["sql"] for query in first.captured_queries) == 1
    customer(country="PT")
    with CaptureQueriesContext(connection) as second:
        assert ("country", "PT") not in selectors.filter_suggestions().values  # kept: no recompute yet
    assert not any("GROUPING SETS" in query["sql"] for query in second.captured_queries)
    recompute()
    assert ("country", "PT") in selectors.filter_suggestions().values
