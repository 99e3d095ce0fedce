"""Freshdesk: the tickets export (Tickets > Export, CSV), as tickets (docs/sources.md).

The export writes its times as ``YYYY-MM-DD HH:MM:SS`` in the exporting agent's time
zone, without an offset (read in the company's time zone). The first agent response
is a time of its own ("Initial response time"). The two durations, "First response
time (in hrs)" and "Resolution time (in hrs)", are ``hh:mm:ss`` counted in business
hours, and ``00:00:00`` when there was no response: they are used only when the file
has no time to read, and a zero duration is no response.
"""

from __future__ import annotations

import re
from decimal import Decimal

from metrics.imports.sources.declaring import Doc, Row, Source, Take
from metrics.imports.sources.values import number, timestamp

EXPORT = Doc("https://github.com/Ramesh-Veeriaperumal/freshconsult/blob/06bececf0b37186618fca9cba5da96ddb65a44cd/"
             "lib/export/ticket.rb",
             "Freshdesk's ticket export (Export::Ticket, Freshdesk's own code)",
             "the CSV's header from the chosen fields' labels, the contact's fields after the ticket's; "
             "created, resolved, closed and first response times written %F %T in the user's time zone")
FIELDS = Doc("https://github.com/Ramesh-Veeriaperumal/freshconsult/blob/d648c5848e8d845f2f50753f14f82171fb1b5019/"
             "lib/helpdesk/ticket_model_extension.rb",
             "The ticket export's fields (Helpdesk::TicketModelExtension)",
             "Ticket ID, Status, Priority, Source, Created time, Resolved time, Closed time, Initial response "
             "time (ticket_states.first_response_time, a time), First response time (in hrs) and Resolution "
             "time (in hrs) (business-hour durations, with SLA management)")
DURATIONS = Doc("https://github.com/Ramesh-Veeriaperumal/freshconsult/blob/HEAD/app/models/helpdesk/ticket.rb",
                "Helpdesk::Ticket#first_res_time_bhrs and #resolution_time_bhrs",
                "the two durations as hh:mm:ss of the business-hour seconds, 00:00:00 when there are none")
CONTACT_FIELDS = Doc("https://support.freshdesk.com/ko/support/solutions/articles/203410",
                     "Manage your Customer Data Schema (Freshdesk support)",
                     "the contact's default fields: Full name, Email (a contact is identified by its e-mail), ...")

DURATION = re.compile(r"^(\d+):([0-5]\d)(?::([0-5]\d))?$")


def minutes(text: str) -> Decimal | None:
    """A duration as the export writes it, ``hh:mm:ss`` (or decimal hours), in minutes."""
    text = text.strip()
    match = DURATION.match(text)
    if match:
        hours, mins, seconds = match.groups()
        return Decimal(int(hours) * 60 + int(mins)) + Decimal(int(seconds or 0)) / 60
    hours = number(text)
    return None if hours is None else hours * 60


def _after_created(row: Row, duration_column: str, column: str) -> str:
    """Created time + a duration, when the duration says something happened."""
    duration = minutes(row.get(duration_column))
    if not duration:
        return ""
    row.count("derived", column)
    return timestamp(row.get("Created time"), plus_minutes=str(duration))


def _first_response(row: Row) -> str:
    if row.has("Initial response time"):
        return timestamp(row.get("Initial response time"))
    return _after_created(row, "First response time (in hrs)", "first_response_at")


def _resolved(row: Row) -> str:
    time = row.get("Resolved time") or row.get("Closed time")
    if time:
        return timestamp(time)
    if row.has("Resolved time") or row.has("Closed time"):
        return ""
    return _after_created(row, "Resolution time (in hrs)", "resolved_at")


FRESHDESK_TICKETS = Source(
    key="freshdesk_tickets", name="Freshdesk tickets export", vendor="Freshdesk", kind="tickets",
    documentation=(EXPORT, FIELDS, DURATIONS, CONTACT_FIELDS),
    recognise=("Ticket ID", "Created time", ("Initial response time", "First response time (in hrs)")),
    takes=(
        Take("ticket_id", "Ticket ID", lambda row: row.get("Ticket ID")),
        Take("customer_id", "the contact's Email (or Requester Email; matched to your customers by e-mail)",
             lambda row: row.get("Email", "Requester Email")),
        Take("opened_at", "Created time (your time zone)", lambda row: timestamp(row.get("Created time"))),
        Take("first_response_at", "Initial response time; without that column, Created time + First response "
             "time (in hrs), which counts business hours", _first_response, derived=True),
        Take("resolved_at", "Resolved time, else Closed time; without those columns, Created time + "
             "Resolution time (in hrs), which counts business hours", _resolved, derived=True),
        Take("channel", "Source (Email, Portal, Phone, Chat ...)", lambda row: row.get("Source")),
        Take("priority", "Priority", lambda row: row.get("Priority")),
    ),
)
