"""What a filtered dashboard must never do: differ from the company's when the filter
matches everyone (hypothesis, random histories), cross to another company (its saved
segments, its customers, its cached figures), or compute the segment more than once
for a page and its charts."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings, strategies as st

from metrics.dashboard.cards import build_dashboard
from metrics.dashboard.segment import segment_values
from metrics.kpis.window import window_from
from metrics.models import SavedSegment
from metrics.segments import selectors as segment_selectors
from metrics.segments.filters import parse_filter
from tests.metrics.dashboard.conftest import logged_in
from tests.metrics.dashboard.test_filtered_dashboard import PRO_DE, company, value_of  # noqa: F401 (a fixture)
from tests.metrics.kpis.builders import customer, invoice, recompute, subscription
from tests.metrics.segments.histories import FIRST, histories as history_of, write_history

# (countries and subscriptions, payments: customer, day after FIRST, amount)
histories = st.tuples(
    history_of(customers=5, start_days=400, subscriptions=10),
    st.lists(st.tuples(st.integers(0, 4), st.integers(0, 400), st.sampled_from(["5", "40", "-10"])), max_size=6))


def insert(subscriptions, payments) -> None:
    people = write_history(*subscriptions, prefix="q")
    for who, offset, amount in payments:
        invoice(FIRST + timedelta(days=offset), amount, customer=people[who])


def shown(dashboard) -> dict:
    return {card.kpi.key: (card.value, card.previous, card.change, card.spark, card.reason)
            for card in dashboard.all_cards}


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=histories, month_offset=st.integers(0, 14))
def test_a_filter_matching_everyone_shows_the_companys_cards(in_acme, history, month_offset):
    with transaction.atomic():
        insert(*history)
        recompute()
        window = window_from({"month": f"{2024 + month_offset // 12}-{month_offset % 12 + 1:02d}"}, timezone="UTC")
        company_cards = shown(build_dashboard(window, []))
        everyone = segment_values(parse_filter("country:DE|FR|US"))
        segment_cards = shown(build_dashboard(window, [], segment=everyone))
        followed = {key for key in company_cards if not everyone.cannot_follow(key)}
        assert {"mrr", "customers", "revenue", "churned_mrr", "arpu"} <= followed
        for key in followed:
            assert segment_cards[key] == company_cards[key], key
        for key in set(company_cards) - followed:
            assert segment_cards[key][0] is None and segment_cards[key][4] == "cannot follow a customer filter"
        transaction.set_rollback(True)


def test_another_companys_saved_segments_and_customers_never_show(owner, company, globex):
    connection.set_tenant(globex.tenant)
    SavedSegment.objects.create(name="Globex big Germans", filter="plan:pro,country:DE")
    rich = customer(country="DE")
    subscription(rich, date(2025, 1, 1), amount="9000", plan="pro")
    recompute()
    connection.set_schema_to_public()

    page = owner.get(f"/?month=2025-02&{PRO_DE}").content.decode()
    assert "Globex big Germans" not in page
    assert value_of(page, "mrr") == "$160.00"  # acme's two German pros, not globex's 9,000
    theirs = logged_in(globex).get(f"/?month=2025-02&{PRO_DE}").content.decode()
    assert "Globex big Germans" in theirs and value_of(theirs, "mrr") == "$9,000"
    # and acme's cached segment stayed acme's
    assert value_of(owner.get(f"/?month=2025-02&{PRO_DE}").content.decode(), "mrr") == "$160.00"
    chart = logged_in(globex).get(f"/charts/mrr/?month=2025-02&range=12&{PRO_DE}").json()
    assert next(d for d in chart["datasets"] if d["kpi"] == "mrr")["data"][-1] == 9000.0


def test_a_filtered_page_and_its_charts_compute_the_segment_once(owner, company, monkeypatch):
    calls = []
    real = segment_selectors.segment_results

    def counted(*, customer_filter, **arguments):
        calls.append(customer_filter.text)
        return real(customer_filter=customer_filter, **arguments)

    monkeypatch.setattr(segment_selectors, "segment_results", counted)
    assert owner.get(f"/?month=2025-03&{PRO_DE}").status_code == 200
    for slug in ("mrr", "revenue", "customers", "cac-ltv"):
        assert owner.get(f"/charts/{slug}/?month=2025-03&range=12&{PRO_DE}").status_code == 200
    assert owner.get(f"/?from=2025-01&to=2025-03&{PRO_DE}").status_code == 200
    assert calls == ["plan:pro,country:DE"]
