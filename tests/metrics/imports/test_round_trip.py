"""Property: any valid file of a kind imports exactly, and exports back to the same
rows (the Data page's CSV is what was given); imported again, nothing changes.
Invoices, customers, subscriptions, expenses, traffic, leads, metric values and
exchange rates (not tickets and survey answers: their times come back in UTC with an
offset, not as written). Text cells sometimes hold commas and quotes, so files go
both ways into staging (COPY whole and the csv module)."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics.data.selectors import as_text, records
from metrics.imports.countries import COUNTRY_CODES
from metrics.imports.kinds import KINDS
from metrics.models import (Customer, CustomMetric, Expense, FxRate, Invoice, Lead, MetricValue, Subscription,
                            TrafficDay)
from tests.metrics.imports.builders import import_records

text_ids = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789-_ ", min_size=1, max_size=30).map(str.strip).filter(bool)
invoice = st.fixed_dictionaries({
    "invoice_id": text_ids,
    "customer_id": st.one_of(st.just(""), text_ids),
    "date": st.dates(min_value=datetime.date(1990, 1, 1), max_value=datetime.date(2035, 12, 31)).map(str),
    "amount": st.decimals(min_value=Decimal("-99999999"), max_value=Decimal("99999999"), places=2).map(str),
    "currency": st.just(""),
    "status": st.sampled_from(["paid", "open", "void"]),
})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(invoice, min_size=1, max_size=20, unique_by=lambda row: row["invoice_id"]))
def test_any_valid_invoices_file_round_trips_exactly(in_acme, rows):
    Invoice.objects.all().delete()
    Customer.objects.all().delete()
    record = import_records("invoices", rows)
    assert record.status == "succeeded", record.errors
    assert record.rows_created == len(rows)
    stored = [as_text(KINDS["invoices"], row) for row in records(KINDS["invoices"])]
    expected = [{**row, "amount": str(Decimal(row["amount"]).quantize(Decimal("0.01")) + 0)} for row in rows]
    assert sorted(stored, key=lambda r: r["invoice_id"]) == sorted(expected, key=lambda r: r["invoice_id"])
    again = import_records("invoices", rows)
    assert (again.rows_created, again.rows_updated, again.rows_unchanged) == (0, 0, len(rows))


# --- More kinds ------------------------------------------------------------------------------

# Inside the date window (1990 to ten years ahead, KPIHUB_DATE_WINDOW), with room for the
# end dates and conversions drawn up to 2,000 days later.
days = st.dates(min_value=datetime.date(1990, 1, 1), max_value=datetime.date(2030, 12, 31)).map(str)
words = st.text(alphabet="abcdefghij XYZ,'\"-", max_size=20).map(str.strip)
optional_count = st.one_of(st.just(""), st.integers(0, 10**9).map(str))
slugs = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_", min_size=1, max_size=40)


def traffic_day(draw_visits: int, bounces: int, conversions: int) -> dict:
    return {"visits": str(draw_visits), "bounces": str(min(bounces, draw_visits)),
            "conversions": str(min(conversions, draw_visits))}


def later(day: str, days: int) -> str:
    return str(datetime.date.fromisoformat(day) + datetime.timedelta(days=days))


amounts = st.decimals(min_value=Decimal(0), max_value=Decimal("99999999"), places=2).map(lambda d: format(d, "f"))


def plain(number: Decimal) -> str:
    """As people write numbers: never ``1E-10``."""
    return format(number, "f")


def quantized(places: int):
    # + 0 turns -0 into 0, as the database does.
    return lambda value: plain(Decimal(value).quantize(Decimal(1).scaleb(-places)) + 0)


ROUND_TRIPS = {
    # kind: (a strategy of valid rows, their key, how a stored value is written back)
    "customers": (st.fixed_dictionaries({
        "customer_id": text_ids, "name": words,
        "email": st.one_of(st.just(""), st.builds("{}@{}.example".format, slugs, slugs)),
        "signup_date": st.one_of(st.just(""), days), "channel": words,
        "country": st.one_of(st.just(""), st.sampled_from(sorted(COUNTRY_CODES))), "segment": words,
    }), ("customer_id",), {}),
    "traffic": (st.builds(lambda day, channel, visits, bounces, conversions, unique, views: {
        "date": day, "channel": channel, **traffic_day(visits, bounces, conversions),
        "unique_visitors": unique, "pageviews": views},
        days, st.sampled_from(["all", "organic", "paid, search", "e-mail"]), st.integers(0, 10**9),
        st.integers(0, 10**9), st.integers(0, 10**9), optional_count, optional_count),
        ("date", "channel"), {}),
    "metric_values": (st.fixed_dictionaries({
        "metric": slugs, "date": days,
        "value": st.decimals(min_value=Decimal("-10") ** 12, max_value=Decimal(10) ** 12, places=6).map(plain),
    }), ("metric", "date"), {"value": quantized(6)}),
    "fx_rates": (st.fixed_dictionaries({
        "currency": st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=3, max_size=3),
        "month": st.dates(min_value=datetime.date(1990, 1, 1), max_value=datetime.date(2035, 12, 31)).map(lambda day: day.strftime("%Y-%m")),
        # Down to the column's last decimal: the export writes them fixed-point, never 1E-07.
        "rate": st.decimals(min_value=Decimal("0.0000000001"), max_value=Decimal(10) ** 9, places=10).map(plain),
    }), ("currency", "month"), {"rate": quantized(10)}),
    "subscriptions": (st.builds(lambda sid, customer, plan, amount, interval, quantity, start, length: {
        "subscription_id": sid, "customer_id": customer, "plan": plan, "amount": amount, "currency": "",
        "interval": interval, "quantity": str(quantity), "start_date": start,
        "end_date": later(start, length) if length else ""},
        text_ids, text_ids, words, amounts, st.sampled_from(["month", "quarter", "year", "week"]),
        st.integers(1, 10**6), days, st.integers(0, 2000)),
        ("subscription_id",), {"amount": quantized(2)}),
    "leads": (st.builds(lambda lid, created, channel, qualified, converted_after, customer: {
        "lead_id": lid, "created_date": created, "channel": channel, "qualified": qualified,
        "converted_date": later(created, converted_after) if converted_after is not None else "",
        "customer_id": customer},
        text_ids, days, words, st.sampled_from(["true", "false"]), st.one_of(st.none(), st.integers(0, 400)),
        st.one_of(st.just(""), text_ids)),
        ("lead_id",), {}),
    "expenses": (st.fixed_dictionaries({
        "expense_id": text_ids, "date": days,
        "category": st.sampled_from(["marketing", "sales", "cogs", "operating", "other"]),
        "amount": amounts, "currency": st.just(""), "channel": words, "description": words,
    }), ("expense_id",), {"amount": quantized(2)}),
}


@pytest.mark.parametrize("kind", sorted(ROUND_TRIPS))
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_valid_file_of_a_kind_round_trips_exactly(in_acme, kind, data):
    strategy, key, written = ROUND_TRIPS[kind]
    rows = data.draw(st.lists(strategy, min_size=1, max_size=15, unique_by=lambda row: tuple(row[k] for k in key)))
    for model in (Invoice, Subscription, Customer, TrafficDay, Lead, Expense, MetricValue, CustomMetric, FxRate):
        model.objects.all().delete()
    record = import_records(kind, rows)
    assert record.status == "succeeded", record.errors
    assert record.rows_created == len(rows)
    stored = [{name: str(value) for name, value in as_text(KINDS[kind], row).items()}
              for row in records(KINDS[kind])]
    expected = [{name: written.get(name, str)(value) if value != "" else "" for name, value in row.items()}
                for row in rows]
    by_key = lambda row: tuple(row[k] for k in key)  # noqa: E731
    assert sorted(stored, key=by_key) == sorted(expected, key=by_key)
    again = import_records(kind, rows)
    assert (again.rows_created, again.rows_updated, again.rows_unchanged) == (0, 0, len(rows))


def test_tiny_decimals_export_fixed_point():
    """str(Decimal) writes 1E-07, which the import refuses; the export must not."""
    row = as_text(KINDS["fx_rates"], {"currency": "BTC", "month": datetime.date(2026, 1, 1),
                                       "rate": Decimal("0.0000001000")})
    assert row["rate"] == "0.0000001000"
