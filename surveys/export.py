"""The answers as CSV, safe to open in a spreadsheet: a cell that starts with
= + - @, a tab or a carriage return is prefixed with an apostrophe, so a comment
like ``=HYPERLINK(...)`` stays text instead of becoming a formula (CSV injection)."""

from __future__ import annotations

import csv
from collections.abc import Iterable

from django.utils import timezone

from surveys import scoring
from surveys.models import Survey

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str | int:
    if value is None:
        return ""
    if isinstance(value, int):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def columns(survey: Survey) -> list[str]:
    base = ["responded_at", "score", "group", "comment"]
    if survey.anonymous:
        return base
    return base + ["customer_id", "name", "email", "segment", "channel", "country"]


def write_responses(out, survey: Survey, answers: Iterable) -> None:
    writer = csv.writer(out)
    writer.writerow(columns(survey))
    for answer in answers:
        row = [timezone.localtime(answer.responded_at).isoformat(), answer.score,
               scoring.score_group(survey.type, answer.score), answer.comment]
        if not survey.anonymous:
            row += [answer.customer_id, answer.customer_name, answer.customer_email,
                    answer.customer_segment, answer.customer_channel, answer.customer_country]
        writer.writerow([safe_cell(value) for value in row])
