"""HubSpot: the contacts export and the deals export, as leads; the contacts export
read again as customers, its CRM properties kept as their attributes (docs/sources.md).

A contact is a lead from its Create Date; it is qualified from the marketing-qualified
stage on, and converted when it became a customer. The original source (HubSpot's
traffic source label) is the channel, as HubSpot writes it.

A deal is a qualified lead from its Create Date (creating a deal makes its contacts
opportunities, past sales-qualified); it converts when it is in the default pipeline's
Closed Won stage, on its Close Date, which HubSpot sets when a deal is closed.
"""

from __future__ import annotations

import re
from collections import Counter

from metrics.imports.reading import normalise_header
from metrics.imports.sources.declaring import Doc, Drop, Row, Source, Take
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


# --- Contacts as customers ---------------------------------------------------------------

PROPERTIES = Doc("https://developers.hubspot.com/docs/api/crm/properties", "CRM API: Properties",
                 "each object has default properties, and an account creates its own custom ones; each "
                 "property has an internal name and a label")
CUSTOMER_STAGES = {"customer", "evangelist"}
# HubSpot's own contact columns that are not who the customer is: the record's id, the
# person's name and phone numbers, its owner in the CRM (the e-mail is read, not kept).
CONTACT_DETAILS = {"record_id", "first_name", "last_name", "email", "phone_number", "mobile_phone_number",
                   "contact_owner", "hubspot_owner", "fax_number"}


def crm_property(cell: str) -> str | None:
    """A contacts export's column kept as a customer attribute: every CRM property
    (Industry, Lifecycle Stage, Original Source, the account's custom ones) but the
    contact's own details and the record's history of dates (Create Date, Last Activity
    Date, Became a Customer Date ...), which change with activity, not with the customer."""
    name = cell.strip()
    normalised = normalise_header(name)
    if not name or normalised in CONTACT_DETAILS:
        return None
    if normalised.endswith(("_date", "date/time", "_date_time")) or normalised.startswith(("last_", "became_a")):
        return None
    return name


def _is_customer(row: Row) -> bool:
    return row.get("Lifecycle Stage").strip().lower() in CUSTOMER_STAGES or bool(row.get("Became a Customer Date"))


HUBSPOT_CONTACTS_AS_CUSTOMERS = Source(
    key="hubspot_contacts_customers", name="HubSpot contacts export, as customers", vendor="HubSpot",
    kind="customers",
    documentation=(EXPORT, PROPERTIES, LIFECYCLE),
    recognise=("Record ID", "Create Date", "Lifecycle Stage"),
    same_export_as="hubspot_contacts",
    takes=(
        Take("customer_id", "Email (matched to your customers by e-mail; an address no customer has becomes the "
             "new customer's id)", lambda row: row.get("Email")),
        Take("email", "Email", lambda row: row.get("Email")),
    ),
    drops=(
        Drop("contacts that are not customers", lambda row: not _is_customer(row),
             "their Lifecycle Stage is before Customer and they have no Became a Customer Date (import the "
             "same export as leads for them)"),
        Drop("contacts without an e-mail", lambda row: not row.get("Email"),
             "nothing matches them to a customer"),
    ),
    attributes=crm_property,
)


# --- Deals ------------------------------------------------------------------------------------

DEAL_PROPERTIES = Doc("https://knowledge.hubspot.com/crm-deals/hubspots-default-deal-properties",
                      "HubSpot's default deal properties",
                      "Close date: the day the deal is expected to close or was closed, set by HubSpot when a "
                      "deal is moved into a closed-won or closed-lost stage")
DEAL_STAGES = Doc("https://knowledge.hubspot.com/object-settings/set-up-and-customize-your-deal-pipelines-and-deal-stages",
                  "Set up and customize your deal pipelines and deal stages",
                  "a deal moves through its pipeline's stages to Closed Won or Closed Lost; pipelines and their "
                  "stages can be customised")
DEAL_LIFECYCLE = Doc("https://knowledge.hubspot.com/crm-setup/manage-how-lifecycle-stages-sync-between-objects",
                     "Automatically sync lifecycle stages between certain records",
                     "a deal's stage updates the lifecycle stage of its contacts: Opportunity when a deal is "
                     "created, Customer when it is closed won")

# The default sales pipeline's stages (label and internal value) -> won. A stage not
# listed here is a custom one: read as not won, and named in a note.
DEFAULT_DEAL_STAGES = {
    "appointment scheduled": "false", "appointmentscheduled": "false",
    "qualified to buy": "false", "qualifiedtobuy": "false",
    "presentation scheduled": "false", "presentationscheduled": "false",
    "decision maker bought-in": "false", "decisionmakerboughtin": "false",
    "contract sent": "false", "contractsent": "false",
    "closed won": "true", "closedwon": "true",
    "closed lost": "false", "closedlost": "false",
}
EMAIL_IN_PARENTHESES = re.compile(r"\(([^()\s]+@[^()\s]+)\)")


def _won(row: Row) -> bool:
    stage = row.get("Deal Stage")
    won = DEFAULT_DEAL_STAGES.get(stage.strip().lower())
    if won is None and stage:
        row.count("custom stage", stage)
    return won == "true"


def _deal_converted(row: Row) -> str:
    return date_of(row.get("Close Date")) if _won(row) else ""


def _deal_customer(row: Row) -> str:
    """The e-mail of the deal's first associated contact, for won deals: the export
    writes each contact as "Name (e-mail)"."""
    if DEFAULT_DEAL_STAGES.get(row.get("Deal Stage").strip().lower()) != "true":
        return ""
    found = EMAIL_IN_PARENTHESES.search(row.get("Associated Contact"))
    return found.group(1) if found else ""


def _deal_remarks(counts: Counter) -> list[str]:
    custom = sorted((key[1], n) for key, n in counts.items() if key[0] == "custom stage")
    if not custom:
        return []
    return ["Deal stages that are not the default pipeline's, read as not won: "
            + ", ".join(f"{stage} ({n:,} row{'s' if n > 1 else ''})" for stage, n in custom)
            + ". Only Closed Won converts a deal; to count a custom won stage, import the deals in KPI Hub's "
              "own columns."]


HUBSPOT_DEALS = Source(
    key="hubspot_deals", name="HubSpot deals export", vendor="HubSpot", kind="leads",
    documentation=(EXPORT, DEAL_PROPERTIES, DEAL_STAGES, DEAL_LIFECYCLE),
    recognise=("Record ID", "Deal Name", "Deal Stage", "Create Date"),
    takes=(
        Take("lead_id", "Record ID", lambda row: row.get("Record ID")),
        Take("created_date", "the date of Create Date", lambda row: date_of(row.get("Create Date"))),
        Take("channel", "Original Traffic Source, as HubSpot names it",
             lambda row: row.get("Original Traffic Source", "Original Source")),
        Take("qualified", "true: a deal is an opportunity (its contacts' lifecycle stage is Opportunity, after "
             "Sales Qualified Lead)", lambda row: "true"),
        Take("converted_date", "for deals in Closed Won, the date of Close Date", _deal_converted),
        Take("customer_id", "for deals in Closed Won, the e-mail of the first Associated Contact (matched to your "
             "customers by e-mail)", _deal_customer),
    ),
    maps={"Deal Stage (won)": DEFAULT_DEAL_STAGES},
    remarks=_deal_remarks,
)
