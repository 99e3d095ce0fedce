"""Which months a page or chart shows, from its query string: ``?month=YYYY-MM`` and
``?range=12|24|all`` (months up to it).

Pages open on the latest *complete* month with data: the month under way has KPIs
(kpi-catalog.md, "Periods") but its revenue, sign-ups and tickets are only partly
in, and a dashboard that opens on "revenue −60 %" on the 5th misleads. The month
under way stays one click away in the picker, marked "to date". (The API's default
period is the latest month with data, as api.md says.)

The dashboard, the KPI page and every chart endpoint read the same two parameters, so
a link copied from one opens the same months in another."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from django.utils.dates import MONTHS

from metrics.date_window import OutsideWindow, check_date, check_month
from metrics.kpis import selectors
from metrics.months import (
    BadPeriod, Month, add_months, current_month, format_period, month_range, parse_period,
)

RANGES = {"12": 12, "24": 24, "all": None}


class MonthChoice(NamedTuple):
    value: str  # YYYY-MM
    label: str  # "March 2026", "November 2026 (to date)"
    selected: bool
DEFAULT_RANGE = "12"


@dataclass(frozen=True)
class Window:
    month: Month | None  # None: nothing computed yet
    range: str = DEFAULT_RANGE
    first_with_data: Month | None = None
    last_with_data: Month | None = None
    month_under_way: Month | None = None
    computed_at: str = ""  # when the stored values last changed: a cache version
    error: str = ""

    @property
    def first(self) -> Month | None:
        if self.month is None:
            return None
        size = RANGES[self.range]
        if size is None:
            return min(self.first_with_data or self.month, self.month)
        return add_months(self.month, -(size - 1))

    @property
    def months(self) -> list[Month]:
        return month_range(self.first, self.month) if self.month else []

    @property
    def months_with_data(self) -> list[Month]:
        """Newest first, for a month picker."""
        if not self.first_with_data:
            return []
        return list(reversed(month_range(self.first_with_data, self.last_with_data)))

    @property
    def month_choices(self) -> list[MonthChoice]:
        """The month picker's options, newest first. Labelled here rather than with the
        ``date`` filter in the template: two filters per option weighed on the
        dashboard's time on the server."""
        return [MonthChoice(format_period(m), month_label(m) + (" (to date)" if m == self.month_under_way else ""),
                            m == self.month)
                for m in self.months_with_data]

    @property
    def month_label(self) -> str:
        return month_label(self.month) if self.month else ""


def month_label(month: Month) -> str:
    """"March 2026", in the active language."""
    return f"{MONTHS[month.month]} {month.year}"


def window_from(query, *, timezone: str) -> Window:
    """The window a request asks for; a malformed value falls back to the default
    with ``error`` saying what was wrong (pages show it, chart endpoints answer 400)."""
    covered = selectors.coverage()
    first = covered.first_month if covered else None
    last = covered.last_month if covered else None
    default = selectors.default_period(timezone, covered=covered)
    this_month = current_month(timezone)
    if default is not None and default == this_month and first is not None and default > first:
        default = add_months(default, -1)
    errors = []
    month = default
    if query.get("month"):
        try:
            month = check_month(parse_period(query["month"], name="month"), name="month")
        except (BadPeriod, OutsideWindow) as exc:
            errors.append(str(exc))
    chosen_range = query.get("range") or DEFAULT_RANGE
    if chosen_range not in RANGES:
        errors.append(f"range must be one of {', '.join(RANGES)}, not {chosen_range!r}.")
        chosen_range = DEFAULT_RANGE
    return Window(month=month, range=chosen_range, first_with_data=first, last_with_data=last,
                  month_under_way=this_month, error=" ".join(errors),
                  computed_at=covered.computed_at.isoformat() if covered and covered.computed_at else "")


GRANULARITY_LABELS = {"month": "Months", "quarter": "Quarters", "year": "Years"}
MAX_CHART_MONTHS = 600


@dataclass(frozen=True)
class ChartRange:
    """The KPI page chart's months (issue 18, item 4): ``?from=&to=`` (default: the
    window's months), ``?granularity=month|quarter|year`` and ``?yoy=1`` (the same
    periods a year earlier as a second line). Presets are links to a from/to pair."""

    first: Month | None
    last: Month | None
    granularity: str = "month"
    yoy: bool = False
    custom: bool = False  # from/to given: the chart's URL carries them
    error: str = ""

    @property
    def query(self) -> str:
        """The chart's own parameters, for its URL and the page's links."""
        parts = [f"from={format_period(self.first)}&to={format_period(self.last)}"] if self.custom else []
        if self.granularity != "month":
            parts.append(f"granularity={self.granularity}")
        if self.yoy:
            parts.append("yoy=1")
        return "&".join(parts)


def presets(window: Window, *, timezone: str) -> list[tuple[str, str]]:
    """(label, ``from=&to=``) of the preset ranges, from the company's today and the
    window's months."""
    if window.month is None:
        return []
    today = current_month(timezone)
    choices = [("Last 12 months", add_months(window.month, -11), window.month),
               ("This year", today.replace(month=1), today),
               ("Last year", today.replace(year=today.year - 1, month=1), today.replace(year=today.year - 1, month=12)),
               ("All months", window.first_with_data or window.month, window.last_with_data or window.month)]
    return [(label, f"from={format_period(first)}&to={format_period(last)}") for label, first, last in choices]


def chart_range_from(query, window: Window) -> ChartRange:
    """The range a KPI page or its chart asks for; a bad value falls back to the
    window's months with ``error`` saying what was wrong."""
    granularity = query.get("granularity") or "month"
    yoy = query.get("yoy") in ("1", "on", "true")
    errors = []
    if granularity not in GRANULARITY_LABELS:
        errors.append(f"granularity must be one of {', '.join(GRANULARITY_LABELS)}, not {granularity!r}.")
        granularity = "month"
    first, last, custom = window.first, window.month, False
    if query.get("from") or query.get("to"):
        try:
            asked_first = check_month(parse_period(query.get("from", ""), name="from"), name="from")
            asked_last = check_month(parse_period(query.get("to", ""), name="to"), name="to")
        except (BadPeriod, OutsideWindow) as exc:
            errors.append(str(exc))
        else:
            if asked_first > asked_last:
                errors.append("from must not be after to.")
            elif len(month_range(asked_first, asked_last)) > MAX_CHART_MONTHS:
                errors.append(f"A range covers at most {MAX_CHART_MONTHS} months.")
            else:
                first, last, custom = asked_first, asked_last, True
    return ChartRange(first, last, granularity, yoy, custom, " ".join(errors))


DAY_PATTERN = re.compile(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


def day_from(text: str, *, name: str = "date") -> tuple[date | None, str]:
    """A day written YYYY-MM-DD inside the date window (MRR on any day), or None and
    what was wrong with it."""
    if not DAY_PATTERN.match(text or ""):
        return None, f"{name} must be a day written YYYY-MM-DD (e.g. 2025-03-14), not {text!r}."
    try:
        return check_date(date.fromisoformat(text), name=name), ""
    except ValueError:
        return None, f"{name} {text!r} is not a day of the calendar."
    except OutsideWindow as exc:
        return None, str(exc)
