"""Months as KPI Hub speaks of them: a month is the ``date`` of its first day, written
``YYYY-MM`` in URLs. The one month arithmetic that the engine, the pages, the API and
the goals all use."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

Month = date  # the first day of a calendar month
PERIOD_PATTERN = re.compile(r"\A([0-9]{4})-([0-9]{2})\Z")  # ASCII digits; no newline after


class BadPeriod(ValueError):
    """A period that is not a real ``YYYY-MM`` month; the message says what was wrong."""


def month_of(day: date) -> Month:
    return day.replace(day=1)


def end_of(month: Month) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def add_months(month: Month, count: int) -> Month:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def months_between(start: Month, end: Month) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def period_of(day: date) -> Month:
    """The latest complete month on ``day``: its own month on the last day of a
    month, else the month before."""
    month = month_of(day)
    return month if day == end_of(month) else add_months(month, -1)


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
