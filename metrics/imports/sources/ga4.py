"""Google Analytics 4: the Traffic acquisition report, downloaded as CSV (docs/sources.md).

The download starts with lines beginning with "#" (the report's name, property and
date range) before the header; dates are ``YYYYMMDD``. One row per day and session
channel group when the report has Date as a second dimension.
"""

from __future__ import annotations

from metrics.imports.sources.declaring import Doc, Drop, Row, Source, Take
from metrics.imports.sources.values import COMPACT_DATE, date_of, whole, whole_difference

TRAFFIC_ACQUISITION = Doc("https://developers.google.com/analytics/devguides/reporting/data/v1/predefined-reports",
                          "Predefined reports (Google Analytics Data API)",
                          "the Traffic acquisition report as a query: dimension sessionDefaultChannelGroup "
                          "(with date), metrics sessions, engagedSessions, totalUsers ...")
ENGAGED_SESSIONS = Doc("https://support.google.com/analytics/answer/12195621",
                       "[GA4] Engagement rate and bounce rate (cited by the GA4 guides found)",
                       "a bounce is a session that was not engaged: bounces = sessions - engaged sessions")
DATE_DIMENSION = Doc("https://developers.google.com/analytics/devguides/reporting/data/v1/api-schema",
                     "GA4 Data API schema: dimensions", "date is written YYYYMMDD")

CHANNEL_COLUMNS = ("Session default channel group", "Session primary channel group (Default Channel Group)",
                   "Session primary channel group (Default channel group)")


def _bounces(row: Row) -> str:
    value = whole_difference(row.get("Sessions"), row.get("Engaged sessions"))
    if value:
        row.count("derived", "bounces")
    return value


def _date(row: Row) -> str:
    if COMPACT_DATE.match(row.get("Date")):
        row.count("derived", "date")
    return date_of(row.get("Date"))


def _remarks(counts) -> list[str]:
    return ["Key events (conversions) were not imported: GA4 counts events, not converting sessions, "
            "so they could exceed visits."] if counts[("key events",)] else []


def _visits(row: Row) -> str:
    if row.get("Key events", "Conversions"):
        row.count("key events")
    return whole(row.get("Sessions"))


GA4_TRAFFIC_ACQUISITION = Source(
    key="ga4_traffic_acquisition", name="GA4 traffic acquisition report", vendor="Google Analytics 4",
    kind="traffic",
    documentation=(TRAFFIC_ACQUISITION, ENGAGED_SESSIONS, DATE_DIMENSION),
    recognise=("Date", "Sessions", "Engaged sessions", CHANNEL_COLUMNS),
    preamble="#",
    takes=(
        Take("date", "Date read as YYYYMMDD", _date, derived=True),
        Take("channel", "the session default channel group, as GA4 names it",
             lambda row: row.get(*CHANNEL_COLUMNS)),
        Take("visits", "Sessions", _visits),
        Take("unique_visitors", "Total users (or Users)", lambda row: whole(row.get("Total users", "Users"))),
        Take("bounces", "Sessions - Engaged sessions (a bounce is a session that was not engaged)",
             _bounces, derived=True),
    ),
    drops=(
        Drop("total or comment rows", lambda row: not COMPACT_DATE.match(row.get("Date"))
             and not row.get("Date")[:4].isdigit(),
             "a row without a date (Grand total, a “#” line) is not one day's traffic"),
    ),
    remarks=_remarks,
)
