"""What a cohort request asks for (``?metric=&by=&from=&to=``), read once for the page,
the CSV and the API, so bad input is refused with the same messages everywhere."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from metrics.cohorts.selectors import BY, METRICS, default_range
from metrics.date_window import OutsideWindow, check_month
from metrics.kpis.engine.figures import data_months
from metrics.months import BadPeriod, Month, add_months, current_month, parse_period

MAX_MONTHS = 120
DEFAULT_COHORTS = 12


class BadChoice(ValueError):
    """Field -> messages, as a 400 answers them."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class Choice:
    metric: str
    by: str
    first: Month | None  # None: no data yet
    last: Month | None
    data_first: Month | None

    def query(self, **extra: str) -> str:
        """The query string of this choice (links between the page, its CSV and cells)."""
        parts = {"metric": self.metric, "by": self.by}
        if self.first and self.last:
            parts.update({"from": f"{self.first:%Y-%m}", "to": f"{self.last:%Y-%m}"})
        parts.update(extra)
        return "&".join(f"{name}={text}" for name, text in parts.items())


def month_param(params: Mapping[str, str], name: str) -> Month | None:
    text = params.get(name) or ""
    if not text:
        return None
    try:
        return check_month(parse_period(text, name=name), name=name)
    except (BadPeriod, OutsideWindow) as exc:
        raise BadChoice({name: [str(exc)]}) from exc


def choose(params: Mapping[str, str], *, timezone: str) -> Choice:
    """The choice, with defaults filled in from the data: the last 12 cohorts."""
    errors: dict[str, list[str]] = {}
    metric = params.get("metric") or "customer_retention"
    if metric not in METRICS:
        errors["metric"] = [f"metric is one of {', '.join(METRICS)}, not {metric!r}."]
    by = params.get("by") or "first_paid_month"
    if by not in BY:
        errors["by"] = [f"by is one of {', '.join(BY)}, not {by!r}."]
    first = last = None
    for name in ("from", "to"):
        try:
            month = month_param(params, name)
        except BadChoice as exc:
            errors.update(exc.errors)
            continue
        first, last = (month, last) if name == "from" else (first, month)
    if errors:
        raise BadChoice(errors)
    data_first, data_last = data_months(timezone)
    _, default_last = default_range(data_first=data_first, data_last=data_last,
                                    now_month=current_month(timezone))
    if last is None:
        last = max(default_last, first) if first and default_last else default_last or first
    if first is None and last is not None:
        first = add_months(last, -(DEFAULT_COHORTS - 1))
        if data_first and data_first <= last:
            first = max(first, data_first)
    if first and last:
        if first > last:
            raise BadChoice({"from": ["from must not be after to."]})
        if add_months(first, MAX_MONTHS) <= last:
            raise BadChoice({"to": [f"A cohort matrix spans at most {MAX_MONTHS} months."]})
    return Choice(metric, by, first, last, data_first)
