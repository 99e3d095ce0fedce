"""Finding the NPS question's column in a survey tool's export (SurveyMonkey, Typeform),
where each question is a column headed by its text.

The column is the question whose text asks how likely the respondent is to
*recommend*, whatever the survey called the company. A survey that asks it in other
words is found by its answers instead: on the first response where exactly one
question column holds a whole number from 0 to 10, that column is the NPS question
for the whole file (a file is read once, row by row, so the choice is made once and
said in the notes). When several columns hold such numbers on that response, none is
guessed.
"""

from __future__ import annotations

import re
from collections import Counter

from metrics.imports.excerpts import excerpt
from metrics.imports.sources.declaring import Row

RECOMMEND = re.compile(r"recommend", re.IGNORECASE)   # the names are normalised: words joined by _
LEADING_SCORE = re.compile(r"^\s*(\d{1,2})\b")
WHOLE_SCORE = re.compile(r"^(?:10|\d)$")

# The file's choice, kept in its counts: the column's position + 1, or -1 for none.
CHOICE = ("nps column",)


def nps_position(row: Row, *, not_questions: frozenset[str]) -> int | None:
    """The NPS question's column, or None while (or when) there is none.
    ``not_questions``: the export's own columns (normalised), never a question."""
    chosen = row.counts[CHOICE]
    if chosen:
        return chosen - 1 if chosen > 0 else None
    by_text = next((position for name, position in row.index.items() if RECOMMEND.search(name)), None)
    if by_text is not None:
        row.counts[CHOICE] = by_text + 1
        return by_text
    holding = sorted((position, name) for name, position in row.index.items()
                     if name not in not_questions and WHOLE_SCORE.match(_cell(row, position)))
    if len(holding) == 1:
        position, name = holding[0]
        row.counts[CHOICE] = position + 1
        row.counts[("nps by values", _words(name))] = 1
        return position
    if holding:
        row.counts[CHOICE] = -1
        row.counts[("nps ambiguous", tuple(_words(name) for _, name in holding), row.line)] = 1
    return None


def score(row: Row, *, not_questions: frozenset[str]) -> str:
    """The answer to the NPS question: its leading number (“9 - Very likely” is 9)."""
    position = nps_position(row, not_questions=not_questions)
    if position is None:
        row.count("no nps question")
        return ""
    cell = _cell(row, position)
    match = LEADING_SCORE.match(cell)
    if match and match.group(1) != cell:
        row.count("derived", "score")
    return match.group(1) if match else cell


def skipped(row: Row, *, not_questions: frozenset[str]) -> bool:
    """Whether the response left the NPS question unanswered (known once the column is)."""
    position = nps_position(row, not_questions=not_questions)
    return position is not None and not _cell(row, position)


def remarks(counts: Counter) -> list[str]:
    notes = []
    for key in counts:
        if key[0] == "nps by values":
            notes.append(f"No question mentions recommending, so the NPS question was found by its answers: "
                         f"“{excerpt(key[1])}” holds a whole number from 0 to 10 (the first response where one column "
                         f"alone did). If that is not your NPS question, import the file with a mapping.")
        elif key[0] == "nps ambiguous":
            names = ", ".join(f"“{excerpt(name)}”" for name in key[1])
            notes.append(f"No question mentions recommending, and on line {key[2]} several columns hold a whole "
                         f"number from 0 to 10 ({names}), so none was taken as the NPS question. Import the "
                         f"file with a mapping that names it.")
    unread = counts[("no nps question",)]
    if unread and counts[CHOICE] > 0:
        notes.append(f"{unread:,} response{'s' if unread > 1 else ''} before the one that showed the NPS question "
                     f"had no score to read (an error on score on {'their lines' if unread > 1 else 'its line'}).")
    elif unread and counts[CHOICE] == 0:
        notes.append("No question asking how likely the respondent is to recommend was found in the header, so no "
                     "score was read. Import the NPS question's column in KPI Hub's own columns (score).")
    return notes


def _cell(row: Row, position: int) -> str:
    return row.cells[position].strip() if position < len(row.cells) else ""


def _words(name: str) -> str:
    return name.replace("_", " ")
