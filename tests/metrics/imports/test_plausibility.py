"""An import whose KPIs land ten times outside their benchmark band gets a warning
after the recompute (data-contract.md, "Real exports"): subscriptions priced in cents
but imported as units make ARPU a hundred times too high."""

from __future__ import annotations

import pytest
from django.db import connection

from metrics.kpis import tasks
from metrics.kpis.registry import BY_KEY
from tests.metrics.imports.builders import import_records

pytestmark = pytest.mark.usefixtures("in_acme")


def subscriptions(amounts: list[str], **options):
    record = import_records("subscriptions", [
        {"subscription_id": f"S{n}", "customer_id": f"C{n}", "amount": amount, "start_date": "2024-01-01"}
        for n, amount in enumerate(amounts)], **options)
    assert record.job.status == "succeeded", record.errors
    return record


def recomputed(record):
    assert "values" in tasks.recompute_kpis.run()
    record.refresh_from_db()
    return [warning for warning in record.warnings if warning.startswith("Average revenue per user is ")]


def test_prices_in_cents_read_as_dollars_are_told_after_the_recompute():
    record = subscriptions(["7900", "4900", "9900"])
    # Three amounts are too few for the amounts' own "looks like cents" warning.
    assert not any("amount_unit=cents" in warning for warning in record.warnings)
    assert recomputed(record) == [(
        "Average revenue per user is 7,566.67 USD in a typical month (the median), more than 10 times the top "
        "of its benchmark band ($50-100 per month typical SaaS): if the amounts of this file are in cents, undo "
        "this import and import the file again with amount_unit=cents.")]
    # Said once, however often the KPIs are recomputed.
    assert len(recomputed(record)) == 1


def test_the_same_prices_in_cents_or_in_dollars_are_plausible_and_only_a_wrong_unit_is_told():
    assert recomputed(subscriptions(["7900", "4900", "9900"], amount_unit="cents")) == []
    assert recomputed(subscriptions(["79", "49", "99"])) == []
    wrong = import_records("subscriptions", [
        {"subscription_id": f"S{n}", "customer_id": f"D{n}", "amount": amount, "start_date": "2024-01-01"}
        for n, amount in enumerate(["7900", "4900", "9900"], start=10)])
    assert len(recomputed(wrong)) == 1


def test_a_band_in_dollars_says_nothing_of_another_magnitude_of_currency():
    tenant = connection.tenant
    tenant.currency = "JPY"  # the row rolls back with the test; the shared object is set back below
    tenant.save(update_fields=["currency"])
    try:
        record = subscriptions(["7900", "4900", "9900"])
        assert recomputed(record) == []
    finally:
        tenant.currency = "USD"
    tenant.save(update_fields=["currency"])
    assert len(recomputed(record)) == 1


def test_only_declared_bands_have_numbers():
    assert (BY_KEY["arpu"].benchmark.low, BY_KEY["arpu"].benchmark.high) == (50, 100)
    # The API's band and source as before (issue 17 adds currency and sources beside them).
    assert BY_KEY["arpu"].benchmark.as_dict().items() >= {"band": "$50-100 per month typical SaaS",
                                                          "source": "What Are the 7 Key KPIs for Software Ecommerce?",
                                                          "currency": "USD"}.items()
