"""Pipedrive: the deals list exported as a spreadsheet (CSV), as leads (docs/sources.md).

The export names each column "<item> - <field>" ("Deal - ID", "Deal - Status",
"Person - Email"). A deal is a lead that was qualified: Pipedrive keeps unqualified
leads in its Leads Inbox and turns them into deals once qualified, so every deal is a
qualified lead from its creation ("Deal - Deal created"). A deal converts when it is
won ("Deal - Won time"); lost and open deals have not converted.
"""

from __future__ import annotations

from metrics.imports.sources.declaring import Doc, Drop, Row, Source, Take
from metrics.imports.sources.values import date_of

LEADS_VS_DEALS = Doc("https://support.pipedrive.com/en/article/leads-vs-deals", "Leads vs. deals (Pipedrive)",
                     "the Leads Inbox holds prequalified leads; a lead is converted to a deal once qualified, and "
                     "a deal moves through the pipeline until it is won or lost")
DEAL_OBJECT = Doc("https://github.com/pipedrive/client-nodejs/blob/master/docs/DealCollectionResponseObject.md",
                  "DealCollectionResponseObject (Pipedrive's Node.js client)",
                  "the deal's fields the export's columns are named after: id, title, status, add_time (created), "
                  "won_time, lost_time, close_time, as YYYY-MM-DD HH:MM:SS")
DEAL_STATUSES = Doc("https://docs.rs/crate/pipedrive-rs/latest/source/docs/UpdateDealRequest.md",
                    "UpdateDealRequest (generated from Pipedrive's API v1 description)",
                    "status: open, won, lost, deleted")

WON = "won"
PERSON_EMAIL = ("Person - Email", "Person - Email - Work", "Person - Email - Home", "Person - Email - Other")


def _won(row: Row) -> bool:
    return row.get("Deal - Status").lower() == WON


def _converted(row: Row) -> str:
    if not _won(row):
        return ""
    won = row.get("Deal - Won time") or row.get("Deal - Deal closed on", "Deal - Close time")
    if won and not row.get("Deal - Won time"):
        row.count("derived", "converted_date")
    return date_of(won)


def _customer(row: Row) -> str:
    return row.get(*PERSON_EMAIL) if _won(row) else ""


PIPEDRIVE_DEALS = Source(
    key="pipedrive_deals", name="Pipedrive deals export", vendor="Pipedrive", kind="leads",
    documentation=(LEADS_VS_DEALS, DEAL_OBJECT, DEAL_STATUSES),
    recognise=("Deal - ID", "Deal - Title", "Deal - Status", ("Deal - Deal created", "Deal - Add time")),
    takes=(
        Take("lead_id", "Deal - ID", lambda row: row.get("Deal - ID")),
        Take("created_date", "the date of Deal - Deal created",
             lambda row: date_of(row.get("Deal - Deal created", "Deal - Add time"))),
        Take("channel", "Deal - Source channel, as Pipedrive names it", lambda row: row.get("Deal - Source channel")),
        Take("qualified", "true: a deal is a lead that was qualified out of the Leads Inbox", lambda row: "true"),
        Take("converted_date", "for won deals, the date of Deal - Won time (else of Deal - Deal closed on)",
             _converted, derived=True),
        Take("customer_id", "for won deals, the contact person's e-mail (Person - Email; matched to your "
             "customers by e-mail)", _customer),
    ),
    drops=(
        Drop("deleted deals", lambda row: row.get("Deal - Status").lower() == "deleted",
             "a deleted deal is no longer in the pipeline"),
    ),
)
