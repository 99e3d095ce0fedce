"""HubSpot: the contacts export, as leads (docs/sources.md).

A contact is a lead from its Create Date; it is qualified from the marketing-qualified
stage on, and converted when it became a customer. The original source (HubSpot's
traffic source label) is the channel, as HubSpot writes it.
"""

from __future__ import annotations

from metrics.imports.sources.declaring import Doc, Row, Source, Take
from metrics.imports.sources.values import date_of

EXPORT = Doc("https://knowledge.hubspot.com/import-and-export/export-records",
             "Export records", "exporting contacts from the contacts index to CSV or XLSX, one column "
             "per property, Record ID first")
LIFECYCLE = Doc("https://knowledge.hubspot.com/articles/kcs_article/contacts/how-do-i-import-contacts",
                "How do I import contacts?", "the lifecycle stages: Subscriber, Lead, Marketing Qualified "
                "Lead, Sales Qualified Lead, Opportunity, Customer, Evangelist, Other")
EXPORTS_API = Doc("https://developers.hubspot.com/docs/api/crm/exports", "Exports API",
                  "exports of contacts views with property labels or internal values, as CSV or XLSX")

# Lifecycle stage (label or internal value) -> qualified.
QUALIFIED = {"marketing qualified lead": "true", "marketingqualifiedlead": "true",
             "sales qualified lead": "true", "salesqualifiedlead": "true", "opportunity": "true",
             "customer": "true", "evangelist": "true",
             "subscriber": "false", "lead": "false", "other": "false"}


def _qualified(row: Row) -> str:
    return row.mapped(QUALIFIED, row.get("Lifecycle Stage"), label="Lifecycle Stage", default="false")


def _customer(row: Row) -> str:
    return row.get("Email") if row.get("Became a Customer Date") else ""


HUBSPOT_CONTACTS = Source(
    key="hubspot_contacts", name="HubSpot contacts export", vendor="HubSpot", kind="leads",
    documentation=(EXPORT, LIFECYCLE, EXPORTS_API),
    recognise=("Record ID", "Create Date", "Lifecycle Stage"),
    takes=(
        Take("lead_id", "Record ID", lambda row: row.get("Record ID")),
        Take("created_date", "the date of Create Date", lambda row: date_of(row.get("Create Date"))),
        Take("channel", "Original Source, as HubSpot names it", lambda row: row.get("Original Source")),
        Take("qualified", "Lifecycle Stage from Marketing Qualified Lead on", _qualified),
        Take("converted_date", "the date of Became a Customer Date",
             lambda row: date_of(row.get("Became a Customer Date"))),
        Take("customer_id", "Email, for contacts that became customers", _customer),
    ),
    maps={"Lifecycle Stage": QUALIFIED},
)
