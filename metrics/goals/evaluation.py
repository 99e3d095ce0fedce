"""How a SMART goal is judged, as pure functions (goals.md, "Evaluation").

Everything here takes plain values (dates, floats, a month -> value mapping) and
returns plain values, so every status branch is testable without a database and
the same evaluation is reproducible for any ``as_of`` date.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from metrics.months import Month, add_months, end_of, month_of, months_between, period_of

ON_TRACK_SLACK_PCT = 10.0
FORECAST_WINDOW = 6
MIN_FORECAST_POINTS = 3
MIN_PROBABILITY_POINTS = 4
ACHIEVABILITY_WINDOW = 12
MIN_ACHIEVABILITY_POINTS = 3


class Labelled(StrEnum):
    """A StrEnum whose members also carry the words people read: the pages, the
    e-mails and the model's ``choices`` all take them from here."""

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(member.value, member.label) for member in cls]


class Status(Labelled):
    ACHIEVED = "achieved", "Achieved"
    MISSED = "missed", "Missed"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"


class Achievability(Labelled):
    REALISTIC = "realistic", "Realistic"
    AMBITIOUS = "ambitious", "Ambitious"
    UNREALISTIC = "unrealistic", "Unrealistic"
    UNKNOWN = "unknown", "Unknown"


# --- The goal's geometry ------------------------------------------------------------

@dataclass(frozen=True)
class GoalTerms:
    baseline: float
    target: float
    start_date: date
    deadline: date

    @property
    def increasing(self) -> bool:
        return self.target > self.baseline

    @property
    def sign(self) -> int:
        """+1 when the goal wants the KPI up, -1 when down."""
        return 1 if self.increasing else -1

    def meets(self, value: float | None) -> bool:
        if value is None:
            return False
        return value >= self.target if self.increasing else value <= self.target

    def pace_value(self, day: date) -> float:
        """Where a straight line from baseline (start) to target (deadline) stands."""
        return self.baseline + (self.target - self.baseline) * elapsed_fraction(self, day)


def elapsed_fraction(terms: GoalTerms, day: date) -> float:
    total = (terms.deadline - terms.start_date).days
    if total <= 0:
        return 1.0
    return min(max((day - terms.start_date).days / total, 0.0), 1.0)


def time_elapsed_pct(terms: GoalTerms, as_of: date) -> float:
    return elapsed_fraction(terms, end_of(period_of(as_of))) * 100


def progress_pct(terms: GoalTerms, current: float | None) -> float | None:
    if current is None:
        return None
    return (current - terms.baseline) / (terms.target - terms.baseline) * 100


# --- Forecast ------------------------------------------------------------------------

@dataclass(frozen=True)
class Line:
    slope: float
    intercept: float
    residual_sd: float | None
    points: int
    x_mean: float
    sxx: float

    def at(self, x: float) -> float:
        return self.intercept + self.slope * x


def fit_line(points: list[tuple[int, float]]) -> Line | None:
    """Least squares through (month index, value); None under MIN_FORECAST_POINTS."""
    if len(points) < MIN_FORECAST_POINTS:
        return None
    xs = [x for x, _ in points]
    ys = [y for _, y in points]
    x_mean, y_mean = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - x_mean) ** 2 for x in xs)
    slope = sum((x - x_mean) * (y - y_mean) for x, y in points) / sxx if sxx else 0.0
    intercept = y_mean - slope * x_mean
    residual_sd = None
    if len(points) > 2:
        ssr = sum((y - (intercept + slope * x)) ** 2 for x, y in points)
        residual_sd = math.sqrt(ssr / (len(points) - 2))
    return Line(slope, intercept, residual_sd, len(points), x_mean, sxx)


def forecast_points(series: dict[Month, float | None], period: Month) -> list[tuple[int, float]]:
    """The KPI's values in the FORECAST_WINDOW months ending at ``period`` (months
    without a value are left out), as (months from period, value)."""
    points = []
    for back in range(FORECAST_WINDOW - 1, -1, -1):
        month = add_months(period, -back)
        value = series.get(month)
        if value is not None:
            points.append((-back, float(value)))
    return points


def probability_of_meeting(terms: GoalTerms, line: Line, x_deadline: float) -> float | None:
    """P(value at the deadline meets the target) under a normal approximation around
    the fitted line, with the prediction error of a new point at the deadline."""
    if line.points < MIN_PROBABILITY_POINTS or line.residual_sd is None:
        return None
    predicted = line.at(x_deadline)
    spread = line.residual_sd
    if line.sxx:
        spread *= math.sqrt(1 + 1 / line.points + (x_deadline - line.x_mean) ** 2 / line.sxx)
    if spread == 0:
        return 100.0 if terms.meets(predicted) else 0.0
    z = (predicted - terms.target) / spread * terms.sign
    return 100 * 0.5 * (1 + math.erf(z / math.sqrt(2)))


# --- Achievability ----------------------------------------------------------------------

@dataclass(frozen=True)
class Pace:
    """The change per month a goal needs against the KPI's own recent changes (both in
    the goal's direction: positive is progress)."""

    needed: float
    typical: float  # mean month-over-month change in the 12 months to the baseline
    spread: float  # their standard deviation


def pace_against_history(terms: GoalTerms, series: dict[Month, float | None],
                         baseline_period: Month) -> Pace | None:
    """None when the history is too short to judge (goals.md)."""
    values = [(month, series.get(month)) for month in
              (add_months(baseline_period, -back) for back in range(ACHIEVABILITY_WINDOW - 1, -1, -1))]
    known = [(month, value) for month, value in values if value is not None]
    if len(known) < MIN_ACHIEVABILITY_POINTS:
        return None
    changes = [terms.sign * (later - earlier)
               for (m1, earlier), (m2, later) in zip(known, known[1:]) if months_between(m1, m2) == 1]
    if len(changes) < 2:
        return None
    months = max(months_between(baseline_period, month_of(terms.deadline)), 1)
    return Pace(needed=abs(terms.target - terms.baseline) / months,
                typical=statistics.fmean(changes), spread=statistics.stdev(changes))


def achievability(terms: GoalTerms, series: dict[Month, float | None],
                  baseline_period: Month) -> Achievability:
    """Compare the change per month the goal needs with the KPI's own month-over-month
    changes in the 12 months ending at the baseline's period (goals.md)."""
    pace = pace_against_history(terms, series, baseline_period)
    if pace is None:
        return Achievability.UNKNOWN
    if pace.needed <= pace.typical:
        return Achievability.REALISTIC
    if pace.needed <= pace.typical + 2 * pace.spread:
        return Achievability.AMBITIOUS
    return Achievability.UNREALISTIC


# --- Evaluation ---------------------------------------------------------------------------

@dataclass
class Evaluation:
    period: Month
    current_value: float | None
    time_elapsed_pct: float
    progress_pct: float | None
    status: Status
    forecast_value: float | None
    probability: float | None
    history: list[dict] = field(default_factory=list)


def evaluate(terms: GoalTerms, series: dict[Month, float | None], as_of: date) -> Evaluation:
    """The goal as of ``as_of``: deterministic for the same series and date."""
    period = period_of(as_of)
    current = series.get(period)
    deadline_month = month_of(terms.deadline)
    line = fit_line(forecast_points(series, period))
    x_deadline = months_between(period, deadline_month)
    forecast = line.at(x_deadline) if line else None
    probability = probability_of_meeting(terms, line, x_deadline) if line else None
    progress = progress_pct(terms, current)
    elapsed = time_elapsed_pct(terms, as_of)

    if as_of > terms.deadline:
        status = Status.ACHIEVED if terms.meets(series.get(deadline_month)) else Status.MISSED
    elif terms.meets(current):
        status = Status.ACHIEVED
    else:
        status = _pace_and_trend(on_pace=progress is not None and progress >= elapsed - ON_TRACK_SLACK_PCT,
                                 on_trend=forecast is None or terms.meets(forecast))

    return Evaluation(period=period, current_value=current, time_elapsed_pct=elapsed,
                      progress_pct=progress, status=status, forecast_value=forecast,
                      probability=probability, history=history(terms, series, as_of))


def _pace_and_trend(*, on_pace: bool, on_trend: bool) -> Status:
    """Before the target is met: on track needs both the pace and the trend (no
    forecast yet counts as on trend), so a goal whose forecast misses is at risk from
    its first day however well it started; one of the two is at risk; neither, off track."""
    if on_pace and on_trend:
        return Status.ON_TRACK
    return Status.AT_RISK if on_pace or on_trend else Status.OFF_TRACK


def history(terms: GoalTerms, series: dict[Month, float | None], as_of: date) -> list[dict]:
    """One point per month from the start's month to the latest complete month: the
    actual value against the pace line at that month's end."""
    points = []
    month = month_of(terms.start_date)
    last = min(period_of(as_of), month_of(terms.deadline))
    while month <= last:
        points.append({"period": month.strftime("%Y-%m"), "actual": series.get(month),
                       "pace": terms.pace_value(end_of(month))})
        month = add_months(month, 1)
    return points
