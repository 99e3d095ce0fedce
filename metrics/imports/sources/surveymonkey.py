"""SurveyMonkey: a survey's responses exported as CSV ("All responses data"), as NPS
survey responses (docs/sources.md).

The export has two header rows: the first names the respondent's columns and each
question (its full text, once, over all the columns the question takes), the second
names what each column of a question holds ("Response", "Open-Ended Response", a
choice's label). The second row is dropped as a row without a respondent. Dates are
written ``MM/DD/YYYY hh:mm:ss AM``, without an offset (the account's time zone).

The NPS question is the one whose text asks how likely the respondent is to recommend:
its column is found by that text, whatever the survey called the company.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter

from metrics.imports.sources.declaring import Doc, Drop, Row, Source, Take

COLUMNS = Doc("https://github.com/expectedparrot/edsl/blob/main/edsl/conjure/survey_monkey/data_classes.py",
              "A public importer of SurveyMonkey CSV exports (EDSL)",
              "the respondent's columns (Respondent ID, Collector ID, Start Date, End Date, Email Address, "
              "First Name, Last Name) and the two header lines (question, then what each column holds)")
ALL_RESPONSES = Doc("https://rdrr.io/github/wmurphyrd/monkeywrangler/man/loadSurveyMonkeyXLS.html",
                    "loadSurveyMonkeyXLS (monkeywrangler)",
                    "the \"all responses\" data export: the first nine columns identify the respondent, the "
                    "rest are the questions, a question's sub-columns named in the header's second row")
RESPONSE_OBJECT = Doc("https://docs.memberjunction.org/api/interfaces/"
                      "_memberjunction_actions-bizapps-formbuilders.SurveyMonkeyResponse.html",
                      "SurveyMonkeyResponse (the API's response object)",
                      "id (the Respondent ID), collector_id, email_address, date_created (Start Date), "
                      "date_modified (End Date), response_status")

# The date layout the export writes, named (not guessed).
DATE_LAYOUT = "%m/%d/%Y %I:%M:%S %p"
RECOMMEND = re.compile(r"recommend", re.IGNORECASE)   # the names are normalised: words joined by _
LEADING_SCORE = re.compile(r"^\s*(\d{1,2})\b")


def _nps_position(row: Row) -> int | None:
    """The column of the question asking how likely the respondent is to recommend."""
    return next((position for name, position in row.index.items() if RECOMMEND.search(name)), None)


def _score(row: Row) -> str:
    position = _nps_position(row)
    if position is None:
        row.count("no nps question")
        return ""
    cell = row.cells[position].strip() if position < len(row.cells) else ""
    match = LEADING_SCORE.match(cell)
    if match and match.group(1) != cell:
        row.count("derived", "score")
    return match.group(1) if match else cell


def _no_score(row: Row) -> bool:
    position = _nps_position(row)
    return position is not None and not (row.cells[position].strip() if position < len(row.cells) else "")


def _responded_at(row: Row) -> str:
    text = row.get("End Date") or row.get("Start Date")
    try:
        moment = datetime.datetime.strptime(text, DATE_LAYOUT)
    except ValueError:
        return text   # checking reports it on its line
    row.count("derived", "responded_at")
    return moment.isoformat()


def _remarks(counts: Counter) -> list[str]:
    if counts[("no nps question",)]:
        return ["No question asking how likely the respondent is to recommend was found in the header, so no "
                "score was read. Import the NPS question's column in KPI Hub's own columns (score)."]
    return []


SURVEYMONKEY_RESPONSES = Source(
    key="surveymonkey_responses", name="SurveyMonkey responses export", vendor="SurveyMonkey",
    kind="survey_responses",
    documentation=(COLUMNS, ALL_RESPONSES, RESPONSE_OBJECT),
    recognise=("Respondent ID", "Collector ID", "Start Date", "End Date"),
    takes=(
        Take("response_id", "Respondent ID", lambda row: row.get("Respondent ID")),
        Take("survey_type", "nps (the question asking how likely the respondent is to recommend)",
             lambda row: "nps"),
        Take("score", "the answer to the question whose text asks how likely the respondent is to "
             "recommend (its leading number: “9 - Very likely” is 9)", _score, derived=True),
        Take("responded_at", f"End Date read as MM/DD/YYYY hh:mm:ss AM ({DATE_LAYOUT}), in your time zone",
             _responded_at, derived=True),
        Take("email", "Email Address", lambda row: row.get("Email Address")),
    ),
    drops=(
        Drop("second header rows", lambda row: not row.get("Respondent ID"),
             "the export's second header row names what each column holds; it is no response"),
        Drop("responses that skipped the recommend question", _no_score, "there is no score to count"),
    ),
    remarks=_remarks,
)
