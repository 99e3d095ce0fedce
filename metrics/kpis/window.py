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

from dataclasses import dataclass
from typing import NamedTuple

from django.utils.dates import MONTHS

from metrics.date_window import OutsideWindow, check_month
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
