"""The dates KPI Hub accepts (settings.KPIHUB_DATE_WINDOW, issue 16): from a first day
to a number of years past today. A date outside it is a typo (0001-01-01, 9999-12-31,
1900 for 2019) that would make every month in between a KPI month: an import refuses
the row (imports/casting.py), the engine leaves a stored one out and reports it
(kpis/compute.py), and a date query parameter outside it is a 400 naming the window."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.utils import timezone


class OutsideWindow(ValueError):
    """A date outside the window; the message names the window."""


def date_window(today: date | None = None) -> tuple[date, date]:
    """(first, last) day accepted, both included."""
    first_text, _, years = settings.KPIHUB_DATE_WINDOW.partition(",")
    first = date.fromisoformat(first_text.strip())
    today = today or timezone.localdate()
    ahead = today.year + int(years or 10)
    try:
        return first, today.replace(year=ahead)
    except ValueError:  # 29 February
        return first, today.replace(year=ahead, day=28)


def window_text(window: tuple[date, date] | None = None) -> str:
    first, last = window or date_window()
    return f"{first.isoformat()} to {last.isoformat()}"


def check_date(day: date, *, name: str) -> date:
    """``day`` when it is inside the window, else ``OutsideWindow``."""
    first, last = date_window()
    if not first <= day <= last:
        raise OutsideWindow(f"{name} must be a date from {window_text((first, last))} "
                            f"(KPI Hub's date window), not {day.isoformat()}.")
    return day


def check_month(month: date, *, name: str) -> date:
    """A month (its first day) that overlaps the window, else ``OutsideWindow``."""
    first, last = date_window()
    if not first.replace(day=1) <= month <= last:
        raise OutsideWindow(f"{name} must be a month from {first:%Y-%m} to {last:%Y-%m} "
                            f"(KPI Hub's date window, {window_text((first, last))}), not {month:%Y-%m}.")
    return month
