"""Months as the KPI engine and its API speak of them: the first day of a calendar
month, written ``YYYY-MM`` in URLs."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from metrics.goals.evaluation import add_months, end_of, month_of

Month = date
PERIOD_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")

__all__ = ["Month", "add_months", "end_of", "month_of", "parse_period", "format_period",
           "month_range", "current_month"]


class BadPeriod(ValueError):
    """A period that is not a real ``YYYY-MM`` month; the message says what was wrong."""


def parse_period(text: str, *, name: str = "period") -> Month:
    match = PERIOD_PATTERN.match(text or "")
    if not match:
        raise BadPeriod(f"{name} must be a month written YYYY-MM (e.g. 2025-03), not {text!r}.")
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12 or year < 1900 or year > 2999:
        raise BadPeriod(f"{name} {text!r} is not a month between 1900-01 and 2999-12.")
    return date(year, month, 1)


def format_period(month: Month) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def month_range(first: Month, last: Month) -> list[Month]:
    """Every month from ``first`` through ``last``, both included."""
    months, month = [], first
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def current_month(timezone_name: str, now: datetime | None = None) -> Month:
    """The month it is now in the tenant's timezone (a tenant in Tokyo enters April
    nine hours before one in London)."""
    moment = now or datetime.now(tz=ZoneInfo("UTC"))
    return month_of(moment.astimezone(ZoneInfo(timezone_name)).date())
