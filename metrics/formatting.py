"""How a KPI value reads on a page: by its unit, in the company's currency and number
format (Tenant.locale), through Babel's CLDR data so "1.234,56 €" and "$1,234.56"
both come out right. One place for it: the dashboard, the KPI page and the goals use
these functions through the ``kpi_format`` template tags."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, format_decimal
from django.utils import dateformat, timezone

DASH = "—"
MINUS = "−"
# Units written after the number; percent is a number of points, so it keeps its
# decimals and gets the locale's own spacing by hand (" %" reads in every locale here).
SUFFIX = {"percent": " %", "hours": " h", "months": " mo", "ratio": "×"}


@lru_cache(maxsize=32)
def babel_locale(tag: str) -> Locale:
    try:
        return Locale.parse(tag or "en-US", sep="-")
    except (ValueError, UnknownLocaleError):
        return Locale.parse("en_US")


@lru_cache(maxsize=32)
def _whole_currency_pattern(tag: str) -> str:
    """The locale's currency pattern without decimals: large amounts read better whole."""
    pattern = babel_locale(tag).currency_formats["standard"].pattern
    return pattern.split(";")[0].replace(".00", "")


def moment(value: datetime) -> str:
    """A moment written into a message or a table cell as the company reads it: in the
    active time zone (the company's on its pages, see tenants.middleware) and naming
    that zone, "2026-01-05 14:05 CET", so nobody takes a UTC time for local."""
    return dateformat.format(timezone.localtime(value), "Y-m-d H:i T")


def rounded(value, decimals: int) -> Decimal:
    """Half up, as people round (Babel would round half to even: 4.25 -> 4.2)."""
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def format_number(value, *, decimals: int, locale: str) -> str:
    return format_decimal(rounded(value, decimals), format=f"#,##0.{'0' * decimals}" if decimals else "#,##0",
                          locale=babel_locale(locale))


def format_money(value, *, currency: str, locale: str) -> str:
    number = Decimal(str(value))
    if abs(number) >= 1000:
        return format_currency(rounded(number, 0), currency, format=_whole_currency_pattern(locale),
                               locale=babel_locale(locale), currency_digits=False)
    return format_currency(rounded(number, 2), currency, locale=babel_locale(locale))


def format_kpi(value, unit: str, *, currency: str = "USD", locale: str = "en-US") -> str:
    """A value as a card or table shows it: "$12,400", "4.2 %", "1,234", "NPS 32"."""
    if value is None or value == "":
        return DASH
    if unit == "money":
        return format_money(value, currency=currency, locale=locale)
    if unit == "count":
        return format_number(value, decimals=0, locale=locale)
    if unit == "score":
        return format_number(value, decimals=0, locale=locale)
    decimals = 2 if unit == "ratio" else 1
    return format_number(value, decimals=decimals, locale=locale) + SUFFIX.get(unit, "")


def format_change(value, unit: str, *, currency: str = "USD", locale: str = "en-US") -> str:
    """A signed change against the month before: "+1.2 pts", "−$300", "±0"."""
    if value is None or value == "":
        return ""
    number = Decimal(str(value))
    sign = "+" if number > 0 else MINUS if number < 0 else "±"
    if unit == "percent":
        return f"{sign}{format_number(abs(number), decimals=1, locale=locale)} pts"
    return sign + format_kpi(abs(number), unit, currency=currency, locale=locale)


def json_number(value: int | float | Decimal | None) -> int | float | None:
    """A number for JSON: whole numbers as integers, others as floats of at most the
    10 decimals KPI values are stored with (at least the 4 the API promises)."""
    if value is None or isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value == value.to_integral_value() and abs(value) < 2**53:
        return int(value)
    return float(round(Decimal(value), 10))
