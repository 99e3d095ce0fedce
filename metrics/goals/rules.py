"""The SMART rules of goals.md as pure functions: what makes a goal acceptable, and
the title it gets when none is given. Services and forms call these; each broken rule
comes back as (field, message) so the API can answer 400 and a form can show it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from metrics.months import period_of

MAX_YEARS_AHEAD = 5
UNIT_SUFFIX = {"percent": " %", "hours": " h", "months": " months"}


def smart_errors(*, kpi_known: bool, kpi_has_data: bool, target: Decimal | float | None,
                 baseline: Decimal | float | None, start_date: date, deadline: date | None,
                 today: date, latest_valued_month: date | None = None) -> list[tuple[str, str]]:
    """Every SMART rule the goal breaks, in plain words; empty when it is acceptable.
    ``latest_valued_month``: the KPI's latest month with a value before the start, named
    when the start's own month has none (docs/decisions.md, "Bad input (issue 16)")."""
    errors: list[tuple[str, str]] = []
    if not kpi_known:
        errors.append(("kpi", "Unknown KPI: choose a key of the KPI catalog or one of your custom metrics."))
    if target is None:
        errors.append(("target_value", "Measurable: give the target value, in the KPI's unit."))
    if baseline is None and kpi_known and not kpi_has_data:
        errors.append(("baseline_value", "This KPI has no data yet, so give the baseline value "
                                         "(where you start from)."))
    elif baseline is None and kpi_known:
        earlier = (f" (the latest month before it with a value is {latest_valued_month:%B %Y})"
                   if latest_valued_month else "")
        errors.append(("baseline_value", f"This KPI has no value for {period_of(start_date):%B %Y}, the month "
                                         f"the goal starts from, so give the baseline value (where you start "
                                         f"from), or a start date in a month with a value{earlier}."))
    if target is not None and baseline is not None and Decimal(str(target)) == Decimal(str(baseline)):
        errors.append(("target_value", "Measurable: the target must differ from the baseline "
                                       f"({baseline}); otherwise there is nothing to reach."))
    if deadline is None:
        errors.append(("deadline", "Time-bound: a goal needs a deadline."))
    else:
        if deadline <= start_date:
            errors.append(("deadline", "Time-bound: the deadline must come after the start date."))
        if deadline <= today:
            errors.append(("deadline", "Time-bound: the deadline must be in the future."))
        if deadline > _years_after(today, MAX_YEARS_AHEAD):
            errors.append(("deadline", f"Time-bound: the deadline must be at most {MAX_YEARS_AHEAD} "
                                       "years away."))
    return errors


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def format_target(value: Decimal | float, unit: str, currency: str = "") -> str:
    number = f"{Decimal(str(value)).normalize():f}"
    if "." in number:
        whole, fraction = number.split(".")
        number = f"{int(whole):,}.{fraction}" if whole.lstrip("-").isdigit() else number
    elif number.lstrip("-").isdigit():
        number = f"{int(number):,}"
    if unit == "money":
        return f"{currency} {number}".strip()
    return number + UNIT_SUFFIX.get(unit, "")


def goal_title(*, kpi_name: str, unit: str, target: Decimal | float, baseline: Decimal | float,
               deadline: date, currency: str = "") -> str:
    """"Reduce customer churn rate to 4 % by 31 Mar 2027" (goals.md, Specific)."""
    verb = "Increase" if Decimal(str(target)) > Decimal(str(baseline)) else "Reduce"
    name = kpi_name[:1].lower() + kpi_name[1:] if not kpi_name[:2].isupper() else kpi_name
    return (f"{verb} {name} to {format_target(target, unit, currency)} "
            f"by {deadline.day} {deadline:%b %Y}")
