"""Detection: every source's file is recognised as that source and no other, a plain
file in KPI Hub's own columns as none, and a file whose kind was chosen wrong is
refused with the source it looks like."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError

from metrics.imports import services, sources
from metrics.imports.sources import detection
from tests.metrics.imports import vendor_files
from tests.metrics.imports.builders import example_rows, records_csv, upload, xlsx_bytes


@pytest.mark.parametrize("key", list(vendor_files.FILES))
def test_each_file_matches_its_own_source_and_no_other(key):
    rows = detection.head_rows(io.BytesIO(vendor_files.FILES[key]()))
    every = [source.key for source in sources.SOURCES.values()
             if detection.matching([source], rows)]
    # A source declared as another reading of the same export (HubSpot's contacts as
    # customers) matches that export too, and comes after it.
    first = sources.SOURCES[key].same_export_as or key
    others = [source.key for source in sources.SOURCES.values() if source.same_export_as == first]
    assert every == [first, *others]
    assert [source.key for source in detection.matching(list(sources.SOURCES.values()), rows)][0] == first


def test_every_declared_source_has_a_file_and_documentation():
    assert set(vendor_files.FILES) == set(sources.SOURCES)
    assert all(source.documentation for source in sources.SOURCES.values())


@pytest.mark.parametrize("kind", ["customers", "subscriptions", "invoices", "traffic", "leads", "tickets"])
def test_a_plain_file_in_kpi_hubs_own_columns_matches_no_source(kind):
    assert sources.detect(io.BytesIO(records_csv(example_rows(kind)))) == []


def test_an_xlsx_export_is_recognised_too():
    content = xlsx_bytes(["id", "Email", "Name", "Created (UTC)"], [["cus_A", "a@x.example", "A", "2024-01-03"]])
    assert [source.key for source in sources.detect(io.BytesIO(content), name="customers.xlsx")] == [
        "stripe_customers"]


def test_a_quickbooks_report_exported_as_xlsx_matches_only_its_source():
    content = vendor_files.quickbooks_transaction_detail_xlsx()
    rows = detection.head_rows(io.BytesIO(content), name="TransactionDetailByAccount.xlsx")
    assert [source.key for source in sources.SOURCES.values() if detection.matching([source], rows)] == [
        "quickbooks_transaction_detail"]


def test_a_report_allows_its_title_lines_and_no_more():
    rows = detection.head_rows(io.BytesIO(vendor_files.quickbooks_transaction_detail()))
    quickbooks = sources.SOURCES["quickbooks_transaction_detail"]
    assert detection.matching([quickbooks], rows) == [quickbooks]
    assert detection.matching([quickbooks], [["Exported by"], ["Ann"], *rows]) == []


def test_preamble_lines_are_allowed_only_where_the_source_has_a_preamble():
    preambled = b"Stripe export\n" + vendor_files.stripe_invoices()
    assert sources.detect(io.BytesIO(preambled)) == []


def test_the_wrong_kind_is_refused_naming_the_source_the_file_looks_like(in_acme):
    with pytest.raises(ValidationError) as refused:
        services.start_import(kind="customers", upload=upload(vendor_files.stripe_invoices(), "i.csv"))
    assert refused.value.message_dict["kind"] == [
        "This file looks like a Stripe invoices export (Stripe), which holds invoices, not customers. "
        "Import it as invoices, or leave the kind empty."]


def test_the_right_kind_given_still_reads_the_file_as_its_source(in_acme):
    record = services.start_import(kind="invoices", upload=upload(vendor_files.shopify_orders(), "o.csv"))
    assert (record.kind, record.source) == ("invoices", "shopify_orders")


def test_no_kind_and_no_source_recognised_is_refused(in_acme):
    with pytest.raises(ValidationError) as refused:
        services.start_import(upload=upload(records_csv(example_rows("invoices")), "plain.csv"))
    assert "Choose the kind of data" in refused.value.message_dict["kind"][0]
