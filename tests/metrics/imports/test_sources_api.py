"""The API of sources: the list of declared sources, an upload with no kind read as
the source it is recognised as, and unknown or contradicting sources refused."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from metrics.imports import running
from metrics.imports.sources import SOURCES
from tests.metrics.imports import vendor_files


def test_the_sources_are_listed_with_their_kind_columns_and_documentation(acme_owner):
    response = acme_owner.get("/api/v1/imports/sources/")
    assert response.status_code == 200
    listed = response.json()
    assert [item["key"] for item in listed] == list(SOURCES)
    first = listed[0]
    assert (first["key"], first["vendor"], first["kinds"]) == ("stripe_invoices", "Stripe", ["invoices"])
    assert first["columns"] == ["id", "Amount Due", "Status", "Date (UTC)"]
    assert all(doc["url"].startswith("https://") for item in listed for doc in item["documentation"])


def test_an_upload_without_kind_is_recognised_and_says_so(acme_owner, acme):
    response = acme_owner.post("/api/v1/imports/", {
        "file": SimpleUploadedFile("traffic.csv", vendor_files.ga4_traffic_acquisition())}, format="multipart")
    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["kind"], body["source"]) == ("traffic", "ga4_traffic_acquisition")
    connection.set_tenant(acme.tenant)
    running.run_import(import_id=body["id"])
    detail = acme_owner.get(f"/api/v1/imports/{body['id']}/").json()
    assert detail["status"] == "succeeded" and detail["rows_created"] == 4
    assert detail["notes"][0] == "Read as GA4 traffic acquisition report (Google Analytics 4)."


def test_an_unknown_source_is_400_listing_the_sources(acme_owner):
    response = acme_owner.post("/api/v1/imports/", {
        "source": "paypal", "file": SimpleUploadedFile("x.csv", vendor_files.stripe_invoices())},
        format="multipart")
    assert response.status_code == 400
    assert response.json()["source"] == [f"Unknown source “paypal”. Choose one of: {', '.join(SOURCES)}, "
                                         "or leave it empty."]


def test_a_named_source_of_another_kind_is_400(acme_owner):
    response = acme_owner.post("/api/v1/imports/", {
        "kind": "customers", "source": "stripe_invoices",
        "file": SimpleUploadedFile("x.csv", vendor_files.stripe_invoices())}, format="multipart")
    assert response.status_code == 400
    assert response.json()["kind"] == ["A Stripe invoices export holds invoices, not customers."]
