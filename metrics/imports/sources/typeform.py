"""Typeform: a form's responses downloaded as CSV (Results > Responses > Download), as
NPS survey responses (docs/sources.md).

One row per response: the response's token under "#", one column per question headed
by its text, the hidden fields by their names, then the response's own columns: its
type (completed or partial), "Start Date (UTC)", "Stage Date (UTC)", "Submit Date
(UTC)" (``YYYY-MM-DD HH:MM:SS``, in UTC as the names say), "Network ID" and "Tags". A
partial response has no submit date and is dropped. The NPS question (Typeform's NPS
or opinion-scale question) is found as for SurveyMonkey (scores.py). The respondent is
known by an e-mail: a hidden field or an e-mail question.
"""

from __future__ import annotations

from metrics.imports.reading import normalise_header
from metrics.imports.sources import scores
from metrics.imports.sources.declaring import Doc, Drop, Row, Source, Take
from metrics.imports.sources.values import timestamp

RESPONSE_OBJECT = Doc("https://docs.memberjunction.org/api/interfaces/"
                      "_memberjunction_actions-bizapps-formbuilders.TypeformResponseItem.html",
                      "TypeformResponseItem (a public client's type for Typeform's response object)",
                      "token (the export's “#”), landed_at (Start Date), submitted_at (Submit Date), hidden "
                      "(the hidden fields), metadata.network_id (Network ID), the answers by field type")
RETRIEVE_RESPONSES = Doc("https://pipedream.com/apps/typeform/actions/list-responses.md",
                         "List Responses (Typeform), citing Typeform's Retrieve responses reference",
                         "responses with the date and time of landing and of submission; times in UTC; "
                         "completed responses unless partial ones are asked for")

# The export's own columns (normalised): never the NPS question, even when they hold a number.
RESPONSE_COLUMNS = frozenset(normalise_header(name) for name in (
    "#", "Response Type", "Start Date (UTC)", "Stage Date (UTC)", "Submit Date (UTC)", "Network ID", "Tags",
    "customer_id", "user_id", "id"))


def _score(row: Row) -> str:
    return scores.score(row, not_questions=RESPONSE_COLUMNS)


def _skipped(row: Row) -> bool:
    return scores.skipped(row, not_questions=RESPONSE_COLUMNS)


def _submitted(row: Row) -> str:
    text = row.get("Submit Date (UTC)")
    if not text:
        return ""
    row.count("derived", "responded_at")
    return timestamp(f"{text} UTC")


def _email(row: Row) -> str:
    """A hidden field named email, else the first column named for an e-mail that holds one."""
    for name, position in row.index.items():
        if "email" in name.replace("-", "").replace("_", ""):
            cell = row.cells[position].strip() if position < len(row.cells) else ""
            if "@" in cell:
                return cell
    return ""


TYPEFORM_RESPONSES = Source(
    key="typeform_responses", name="Typeform responses download", vendor="Typeform", kind="survey_responses",
    documentation=(RESPONSE_OBJECT, RETRIEVE_RESPONSES),
    recognise=("#", "Start Date (UTC)", "Submit Date (UTC)"),
    takes=(
        Take("response_id", "# (the response's token)", lambda row: row.get("#")),
        Take("survey_type", "nps (the NPS or opinion-scale question)", lambda row: "nps"),
        Take("score", "the answer to the question whose text asks how likely the respondent is to "
             "recommend, else to the one question answered with a whole number from 0 to 10", _score,
             derived=True),
        Take("responded_at", "Submit Date (UTC), read as UTC", _submitted, derived=True),
        Take("email", "a hidden field or question named for an e-mail (email, Email address ...)", _email),
        Take("customer_id", "a hidden field customer_id", lambda row: row.get("customer_id")),
    ),
    drops=(
        Drop("partial responses", lambda row: not row.get("Submit Date (UTC)"),
             "a response that was not submitted has no submit date"),
        Drop("responses that skipped the NPS question", _skipped, "there is no score to count"),
    ),
    remarks=scores.remarks,
)
