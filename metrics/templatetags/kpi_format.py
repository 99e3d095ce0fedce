"""How a KPI value reads on a page, by unit and in the tenant's currency."""

from decimal import Decimal

from django import template

register = template.Library()
SUFFIX = {"percent": " %", "percent_points": "", "hours": " h", "months": " months", "ratio": "×"}


@register.filter
def kpi_value(value, unit: str, currency: str = ""):
    if value is None or value == "":
        return "—"
    number = Decimal(str(value))
    if unit == "money":
        digits = 0 if abs(number) >= 1000 else 2
        return f"{currency} {number:,.{digits}f}".strip()
    if unit in ("count",):
        return f"{number:,.0f}"
    if unit == "score":
        return f"{number:.0f}"
    return f"{number:,.1f}{SUFFIX.get(unit, '')}"


@register.filter
def kpi_change(value, unit: str):
    """A signed change: +1.2 %, −USD 300 ..."""
    if value is None:
        return ""
    number = Decimal(str(value))
    sign = "+" if number > 0 else "−" if number < 0 else "±"
    text = kpi_value(abs(number), "percent_points" if unit == "percent" else unit)
    return f"{sign}{text}" + (" pts" if unit == "percent" else "")
