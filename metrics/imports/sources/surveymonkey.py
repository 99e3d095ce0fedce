"""SurveyMonkey: a survey's responses exported as CSV ("All responses data"), as NPS
survey responses (docs/sources.md).

The export has two header rows: the first names the respondent's columns and each
question (its full text, once, over all the columns the question takes), the second
names what each column of a question holds ("Response", "Open-Ended Response", a
choice's label). The second row is dropped as a row without a respondent. Dates are
written ``MM/DD/YYYY hh:mm:ss AM``, without an offset (the account's time zone).

The NPS question is the one whose text asks how likely the respondent is to recommend,
whatever the survey called the company; asked in other words, it is found by its
0-10 answers (scores.py).
"""

from __future__ import annotations

import datetime

from metrics.imports.reading import normalise_header
from metrics.imports.sources import scores
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
# The respondent's columns (normalised): never the NPS question, even when they hold a number.
RESPONDENT = frozenset(normalise_header(name) for name in (
    "Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address", "First Name",
    "Last Name", "Custom Data", "Custom Data 1", "Custom Data 2", "Custom Data 3"))


def _score(row: Row) -> str:
    return scores.score(row, not_questions=RESPONDENT)


def _no_score(row: Row) -> bool:
    return scores.skipped(row, not_questions=RESPONDENT)


def _responded_at(row: Row) -> str:
    text = row.get("End Date") or row.get("Start Date")
    try:
        moment = datetime.datetime.strptime(text, DATE_LAYOUT)
    except ValueError:
        return text   # checking reports it on its line
    row.count("derived", "responded_at")
    return moment.isoformat()


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
             "recommend, else to the one question answered with a whole number from 0 to 10 (its leading "
             "number: “9 - Very likely” is 9)", _score, derived=True),
        Take("responded_at", f"End Date read as MM/DD/YYYY hh:mm:ss AM ({DATE_LAYOUT}), in your time zone",
             _responded_at, derived=True),
        Take("email", "Email Address", lambda row: row.get("Email Address")),
    ),
    drops=(
        Drop("second header rows", lambda row: not row.get("Respondent ID"),
             "the export's second header row names what each column holds; it is no response"),
        Drop("responses that skipped the recommend question", _no_score, "there is no score to count"),
    ),
    remarks=scores.remarks,
)
