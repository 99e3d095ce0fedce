"""The whole dashboard of one plan and country (issue 18, item 3): ``?filter=`` shows
the segment's cards, charts and ranges, worked by hand; KPIs without customers say they
cannot follow; a wrong filter is a 400 without figures; the filter stays in every link.

The company, by hand (all monthly, from the first of the month):
  DE, pro:   "de1" 100 from January, "de2" 60 from February
  FR, pro:   "fr" 250 from January
  DE, basic: "small" 40 from January
  invoices in February: de1 100, de2 60, fr 250; traffic and marketing spend too.
plan:pro,country:DE in February: MRR 100 + 60 = 160 (January 100: +60), 2 customers,
revenue 160, ARPU 80. The whole company in February: MRR 450, 4 customers."""

import re
from datetime import date

import pytest
from django.db import connection

from metrics.dashboard.cards import cards_cache_key
from metrics.kpis.window import window_from
from metrics.segments.filters import parse_filter
from tests.metrics.kpis.builders import customer, expense, invoice, recompute, subscription, traffic

JAN, FEB, MAR = date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)
PRO_DE = "filter=plan%3Apro%2Ccountry%3ADE"


@pytest.fixture
def company(in_acme):
    de1, de2 = customer(country="DE"), customer(country="DE")
    fr, small = customer(country="FR"), customer(country="DE")
    subscription(de1, JAN, amount="100", plan="pro")
    subscription(de2, FEB, amount="60", plan="pro")
    subscription(fr, JAN, amount="250", plan="pro")
    subscription(small, JAN, amount="40", plan="basic")
    invoice(date(2025, 2, 3), "100", customer=de1)
    invoice(date(2025, 2, 4), "60", customer=de2)
    invoice(date(2025, 2, 5), "250", customer=fr)
    traffic(date(2025, 2, 1), 500, channel="social", conversions=5)
    expense(date(2025, 2, 10), "marketing", "600")
    invoice(date(2025, 3, 2), "100", customer=de1)
    recompute()
    connection.set_schema_to_public()
    return in_acme


def card(page: str, key: str) -> str:
    """The HTML of the first card of ``key`` (headline or group)."""
    match = re.search(rf'<li class="card kpi-card[^"]*" data-kpi="{key}">(.*?)</li>', page, re.S)
    assert match, key
    return match.group(1)


def value_of(page: str, key: str) -> str:
    match = re.search(r'kpi-card__value">([^<]*)<', card(page, key))
    return match.group(1) if match else ""


def test_the_filtered_cards_show_the_segments_figures_worked_by_hand(owner, company):
    whole = owner.get("/?month=2025-02").content.decode()
    assert value_of(whole, "mrr") == "$450.00" and value_of(whole, "customers") == "4"

    response = owner.get(f"/?month=2025-02&{PRO_DE}")
    page = response.content.decode()
    assert response.status_code == 200
    assert value_of(page, "mrr") == "$160.00"
    assert "+$60.00" in card(page, "mrr")  # against January's 100
    assert value_of(page, "customers") == "2"
    assert value_of(page, "revenue") == "$160.00"
    assert value_of(page, "arpu") == "$80.00"
    assert 'data-testid="segment-note"' in page and "<code>plan:pro,country:DE</code>" in page
    # the 12 months' sparkline is the segment's too: nothing before January, then 100, 160
    assert 'data-sparkline="' + "," * 10 + '100,160"' in card(page, "mrr")

    # the company's rendering is not served from the segment's cache, nor the other way
    assert value_of(owner.get("/?month=2025-02").content.decode(), "mrr") == "$450.00"
    assert value_of(owner.get(f"/?month=2025-02&{PRO_DE}").content.decode(), "mrr") == "$160.00"


def test_traffic_and_cac_cards_say_they_cannot_follow_instead_of_a_number(owner, company):
    whole = owner.get("/?month=2025-02").content.decode()
    assert value_of(whole, "visits") == "500"  # the company has a figure

    page = owner.get(f"/?month=2025-02&{PRO_DE}").content.decode()
    for key in ("visits", "cac", "marketing_spend"):
        shown = card(page, key)
        assert 'data-testid="cannot-follow"' in shown and "kpi-card__value" not in shown, key
    assert "500" not in card(page, "visits")
    # the charts drawn from traffic or surveys alone say so instead of a drawing
    assert page.count('data-testid="chart-cannot-follow"') == 2  # conversion by channel, NPS and CSAT


def test_goals_are_labelled_as_the_whole_companys_on_a_filtered_dashboard(owner, company, acme):
    from django.contrib.auth import get_user_model

    from metrics.models import Goal

    connection.set_tenant(acme.tenant)
    Goal.objects.create(title="MRR 1k", kpi="mrr", target_value=1000, baseline_value=100, start_date=JAN,
                        deadline=date(2026, 12, 31), status="on_track",
                        owner=get_user_model().objects.get(username=acme.owner_email))
    connection.set_schema_to_public()
    assert "Goal: On track" in card(owner.get("/?month=2025-02").content.decode(), "mrr")
    page = owner.get(f"/?month=2025-02&{PRO_DE}").content.decode()
    assert "Company goal: On track" in card(page, "mrr") and "the whole company" in card(page, "mrr")
    assert "Set a goal" not in page  # a goal is the company's: none is set from a segment


def test_every_link_of_a_filtered_dashboard_keeps_the_filter(owner, company):
    page = owner.get(f"/?month=2025-02&{PRO_DE}").content.decode()
    picker = page.split('class="inline-form month-picker"', 1)[1].split("</form>", 1)[0]
    assert '<input type="hidden" name="filter" value="plan:pro,country:DE">' in picker
    assert re.search(r'href="/\?from=\d{4}-\d\d&amp;to=\d{4}-\d\d&amp;' + PRO_DE + '" data-preset="year"', page)
    assert f'href="/?{PRO_DE}"' in page  # month to date
    assert '<input type="hidden" name="filter" value="plan:pro,country:DE">' in page.split("range-form", 1)[1]
    charts = re.findall(r'data-chart-url="([^"]+)"', page)
    assert charts and all(url.endswith(f"&amp;{PRO_DE}") for url in charts)
    assert f'href="/kpis/mrr/?month=2025-02&amp;{PRO_DE}"' in card(page, "mrr")
    assert f'hx-post="/dashboard/cards/mrr/?month=2025-02&amp;range=12&amp;{PRO_DE}"' in card(page, "mrr")
    # the bar keeps the month when the filter is cleared
    assert 'href="?month=2025-02" data-testid="filter-clear"' in page


def test_pinning_a_card_of_a_filtered_dashboard_keeps_showing_the_segment(owner, company):
    response = owner.post(f"/dashboard/cards/arpu/?month=2025-02&range=12&{PRO_DE}", {"action": "pin"},
                          HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    sections = response.content.decode()
    assert 'kpi-card--pinned" data-kpi="arpu"' in sections and value_of(sections, "mrr") == "$160.00"
    plain = owner.post(f"/dashboard/cards/arpu/?month=2025-02&{PRO_DE}", {"action": "unpin"})
    assert plain.status_code == 302 and plain["Location"] == f"/?month=2025-02&range=12&{PRO_DE}"


def test_a_wrong_filter_is_a_400_that_says_why_and_shows_no_figures(owner, company):
    response = owner.get("/?month=2025-02&filter=colour:red")
    page = response.content.decode()
    assert response.status_code == 400
    assert "Unknown attribute &#x27;colour&#x27;" in page and 'data-testid="filter-error"' in page
    assert 'data-testid="no-figures"' in page
    assert "kpi-card__value" not in page and "data-chart-url" not in page
    assert owner.get("/?filter=plan:").status_code == 400  # an empty value
    assert owner.post("/dashboard/cards/mrr/?filter=plan", {"action": "pin"}).status_code == 400


def test_a_range_of_months_of_a_segment_sums_its_flows_and_ends_on_its_levels(owner, company):
    page = owner.get(f"/?from=2025-01&to=2025-02&{PRO_DE}").content.decode()
    assert value_of(page, "revenue") == "$160.00"  # January 0 + February 160
    assert value_of(page, "mrr") == "$160.00"  # at the range's end
    assert 'data-testid="cannot-follow"' in card(page, "visits")
    whole = owner.get("/?from=2025-01&to=2025-02").content.decode()
    assert value_of(whole, "revenue") == "$410.00"


def test_the_charts_draw_the_segment_and_label_what_cannot_follow(owner, company):
    mrr = owner.get(f"/charts/mrr/?month=2025-02&range=12&{PRO_DE}").json()
    line = next(d for d in mrr["datasets"] if d["kpi"] == "mrr")
    assert line["data"][-2:] == [100.0, 160.0]
    assert next(d for d in mrr["datasets"] if d["kpi"] == "new_mrr")["data"][-1] == 60.0  # de2

    cac = owner.get(f"/charts/cac-ltv/?month=2025-02&range=12&{PRO_DE}").json()
    spend = next(d for d in cac["datasets"] if d["kpi"] == "cac")
    assert spend["label"].endswith("(cannot follow a customer filter)") and set(spend["data"]) == {None}
    whole = owner.get("/charts/mrr/?month=2025-02&range=12").json()
    assert next(d for d in whole["datasets"] if d["kpi"] == "mrr")["data"][-1] == 450.0

    bad = owner.get("/charts/mrr/?month=2025-02&filter=colour:red")
    assert bad.status_code == 400 and "Unknown attribute" in bad.json()["detail"]
    traffic_chart = owner.get(f"/charts/conversion-by-channel/?month=2025-02&{PRO_DE}")
    assert traffic_chart.status_code == 400 and "cannot follow" in traffic_chart.json()["detail"]


def test_the_cards_cache_key_holds_the_filter(in_acme):
    window = window_from({}, timezone="UTC")
    keys = {cards_cache_key(window, [], locale="en-US", currency="USD", customer_filter=parse_filter(text))
            for text in ("", "plan:pro", "plan:pro,country:DE")}
    assert len(keys) == 3
