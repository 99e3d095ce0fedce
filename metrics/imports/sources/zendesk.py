"""Zendesk Support: the tickets CSV export (docs/sources.md).

The export gives durations, not times: "First reply time in minutes" counts from the
ticket's creation. The first response is created + those minutes; a ticket that was
never answered has the cell empty, and stays without a first response.
"""

from __future__ import annotations

from metrics.imports.sources.declaring import Doc, Row, Source, Take
from metrics.imports.sources.values import timestamp

EXPORT = Doc("https://support.zendesk.com/hc/en-us/articles/4408886165402",
             "Exporting data to a JSON, CSV, or XML file",
             "the CSV export of tickets from Admin Center (Account > Tools > Reports > Export)")
DURATIONS = Doc("https://support.zendesk.com/hc/en-us/articles/4408834848154",
                "About native Support time duration metrics",
                "first reply time: from ticket creation to the first public agent reply; full "
                "resolution time: from creation to the latest solve")
FIELDS = Doc("https://gist.github.com/leomao10?page=2", "A public script's list of the ticket export's fields",
             "the export's columns in order: id, requester, created_at, solved_at, ..., "
             "first_reply_time_in_minutes, full_resolution_time_in_minutes (calendar and business hours)")


def _first_response(row: Row) -> str:
    minutes = row.get("First reply time in minutes")
    if not minutes:
        return ""
    row.count("derived", "first_response_at")
    return timestamp(row.get("Created at"), plus_minutes=minutes)


def _resolved(row: Row) -> str:
    solved = row.get("Solved at")
    if solved:
        return timestamp(solved)
    minutes = row.get("Full resolution time in minutes")
    if not minutes:
        return ""
    row.count("derived", "resolved_at")
    return timestamp(row.get("Created at"), plus_minutes=minutes)


ZENDESK_TICKETS = Source(
    key="zendesk_tickets", name="Zendesk tickets export", vendor="Zendesk", kind="tickets",
    documentation=(EXPORT, DURATIONS, FIELDS),
    recognise=("Id", "Created at", "First reply time in minutes", ("Requester email", "Requester")),
    takes=(
        Take("ticket_id", "Id", lambda row: row.get("Id")),
        Take("customer_id", "Requester email (matched to your customers by e-mail), else Requester id",
             lambda row: row.get("Requester email") or row.get("Requester id")),
        Take("opened_at", "Created at", lambda row: timestamp(row.get("Created at"))),
        Take("first_response_at", "Created at + First reply time in minutes", _first_response, derived=True),
        Take("resolved_at", "Solved at (else Created at + Full resolution time in minutes)", _resolved,
             derived=True),
        Take("channel", "Via (email, web, chat ...)", lambda row: row.get("Via")),
        Take("priority", "Priority", lambda row: row.get("Priority")),
    ),
)
