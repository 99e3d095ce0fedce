"""Vendor exports read as they are (data-contract.md, "Real exports"): each source is
one declaration (``declaring.Source``) in this package, listed in ``SOURCES`` in the
order the docs and the API show them. ``apply`` reads a file's table as a source;
``detect`` recognises a source from the head of a file."""

from __future__ import annotations

from typing import BinaryIO

from metrics.imports.reading import Table
from metrics.imports.sources import applying, detection
from metrics.imports.sources.baremetrics import BAREMETRICS_SUBSCRIPTIONS
from metrics.imports.sources.chargebee import CHARGEBEE_SUBSCRIPTIONS
from metrics.imports.sources.declaring import Source
from metrics.imports.sources.ecb import ECB_REFERENCE_RATES
from metrics.imports.sources.freshdesk import FRESHDESK_TICKETS
from metrics.imports.sources.ga4 import GA4_TRAFFIC_ACQUISITION
from metrics.imports.sources.hubspot import HUBSPOT_CONTACTS, HUBSPOT_CONTACTS_AS_CUSTOMERS, HUBSPOT_DEALS
from metrics.imports.sources.pipedrive import PIPEDRIVE_DEALS
from metrics.imports.sources.quickbooks import QUICKBOOKS_TRANSACTION_DETAIL
from metrics.imports.sources.shopify import SHOPIFY_ORDERS
from metrics.imports.sources.surveymonkey import SURVEYMONKEY_RESPONSES
from metrics.imports.sources.stripe import (STRIPE_BALANCE_ITEMIZED, STRIPE_CUSTOMERS, STRIPE_INVOICES,
                                             STRIPE_SUBSCRIPTIONS)
from metrics.imports.sources.typeform import TYPEFORM_RESPONSES
from metrics.imports.sources.xero import XERO_ACCOUNT_TRANSACTIONS
from metrics.imports.sources.zendesk import ZENDESK_TICKETS

SOURCES: dict[str, Source] = {source.key: source for source in [
    STRIPE_INVOICES, STRIPE_CUSTOMERS, STRIPE_SUBSCRIPTIONS, GA4_TRAFFIC_ACQUISITION, ZENDESK_TICKETS,
    HUBSPOT_CONTACTS, SHOPIFY_ORDERS, QUICKBOOKS_TRANSACTION_DETAIL,
    SURVEYMONKEY_RESPONSES,
    STRIPE_BALANCE_ITEMIZED, CHARGEBEE_SUBSCRIPTIONS, ECB_REFERENCE_RATES,
    FRESHDESK_TICKETS, TYPEFORM_RESPONSES, PIPEDRIVE_DEALS,
    HUBSPOT_DEALS, XERO_ACCOUNT_TRANSACTIONS, BAREMETRICS_SUBSCRIPTIONS, HUBSPOT_CONTACTS_AS_CUSTOMERS,
]}


def apply(key: str, table: Table) -> tuple[Table, list[str]]:
    """``table`` read as the source ``key``; with no key, the table as it is."""
    if not key:
        return table, []
    return applying.apply(SOURCES[key], table)


def detect(file: BinaryIO, *, name: str = "") -> list[Source]:
    """The sources the file's head looks like, most specific first (empty: none)."""
    return detection.matching(list(SOURCES.values()), detection.head_rows(file, name=name))


def listing() -> list[dict]:
    """The sources as the API lists them."""
    return [{"key": source.key, "name": source.name, "vendor": source.vendor, "kinds": [source.kind],
             "columns": source.header_columns(),
             "documentation": [{"url": doc.url, "title": doc.title, "documents": doc.documents}
                               for doc in source.documentation]}
            for source in SOURCES.values()]
