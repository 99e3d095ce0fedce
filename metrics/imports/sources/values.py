"""Reading the values of vendor exports that the kinds' own columns do not take as
they are: timestamps with a time where a date is wanted, ``YYYYMMDD`` dates, minutes
to add to a timestamp, amounts to subtract. A value that cannot be read is passed on
unchanged, so the import's checking reports it on its line (never silently dropped)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

# 2024-01-15, 2024-01-15 10:23, 2024-01-15T10:23:45Z, 2024-01-15 10:23:45 +0000, ...+02:00
TIMESTAMP = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
    r"\s*(Z|UTC|[+-]\d{2}:?\d{2})?$")
COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
# The common case of TIMESTAMP, in ASCII digits, with a month, a day of at most 31 and
# a time that all exist: its date is the first ten characters as they are (only a
# day over 28 needs the calendar). Anything else takes the general path, so the
# answers are the same; this only skips building a datetime per cell.
ISO_TIMESTAMP = re.compile(
    r"((?!0000)[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01]))"
    r"(?:[T ](?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]+)?)?)?"
    r"\s*(?:Z|UTC|[+-][0-9]{2}:?[0-9]{2})?")


def _parts(text: str):
    match = TIMESTAMP.match(text.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, zone = match.groups()
    try:
        moment = datetime.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                                   int(second or 0))
    except ValueError:
        return None
    return moment, zone, hour is not None


def _offset(zone: str | None) -> datetime.timezone | None:
    if not zone:
        return None
    if zone in ("Z", "UTC"):
        return datetime.UTC
    digits = zone.replace(":", "")
    minutes = int(digits[1:3]) * 60 + int(digits[3:5])
    return datetime.timezone(datetime.timedelta(minutes=-minutes if digits[0] == "-" else minutes))


def date_of(text: str) -> str:
    """The calendar date of a date or timestamp as the export writes it (a
    ``(UTC)`` column's date is its UTC date); ``YYYYMMDD`` read as a date."""
    text = text.strip()
    iso = ISO_TIMESTAMP.fullmatch(text)
    if iso and (text[8:10] <= "28" or _exists(text)):
        return iso.group(1)
    if not text:
        return ""
    compact = COMPACT_DATE.match(text)
    if compact:
        try:
            return datetime.date(*(int(part) for part in compact.groups())).isoformat()
        except ValueError:
            return text
    parts = _parts(text)
    return parts[0].date().isoformat() if parts else text


def _exists(text: str) -> bool:
    """Whether the ``YYYY-MM-DD`` that ``text`` starts with is a day of the calendar."""
    try:
        datetime.date(int(text[:4]), int(text[5:7]), int(text[8:10]))
    except ValueError:
        return False
    return True


def timestamp(text: str, *, plus_minutes: str = "") -> str:
    """An ISO 8601 timestamp (with the offset the export gave, if any), optionally
    ``plus_minutes`` later. ``""`` when the minutes are empty (no such event yet)."""
    text = text.strip()
    if not text:
        return ""
    parts = _parts(text)
    if parts is None:
        return text
    moment, zone, _ = parts
    if plus_minutes != "":
        minutes = number(plus_minutes)
        if minutes is None:
            return ""
        moment += datetime.timedelta(minutes=float(minutes))
    zone_info = _offset(zone)
    if zone_info is not None:
        moment = moment.replace(tzinfo=zone_info)
    return moment.isoformat()


def later_date(first: str, second: str) -> bool:
    """Whether date ``second`` is after date ``first`` (both ISO; False if unreadable)."""
    try:
        return datetime.date.fromisoformat(second) > datetime.date.fromisoformat(first)
    except ValueError:
        return False


PLAIN_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
NOT_NUMBER = re.compile(r"[^\d.,\-]")
# An amount exactly as ``money_text`` writes it (no leading zero, two decimals), short
# enough that no rounding to the decimal context's precision can apply.
MONEY = re.compile(r"-?(?:0|[1-9][0-9]{0,19})\.[0-9]{2}")
# Texts that read as no amount or as zero: most tax cells of an export.
NOTHING = frozenset(("", "0", "0.0", "0.00", "-0", "-0.0", "-0.00"))
CENT, ZERO = Decimal("0.01"), Decimal(0)


def number(text: str) -> Decimal | None:
    """A number as exports write it: ``1,250.00``, ``$49.00``, ``-5``; None if empty or unreadable."""
    if PLAIN_NUMBER.fullmatch(text):
        return Decimal(text)  # most cells: nothing to clean (a speed path, same result)
    cleaned = NOT_NUMBER.sub("", text.strip())
    if "," in cleaned and "." in cleaned:
        cleaned = cleaned.replace(",", "")
    elif cleaned.count(",") == 1 and len(cleaned.split(",")[1]) != 3:
        cleaned = cleaned.replace(",", ".")
    else:
        cleaned = cleaned.replace(",", "")
    if not cleaned or cleaned in ("-", "."):
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


def nonzero(text: str) -> bool:
    """Whether ``text`` reads as a number other than zero."""
    return text not in NOTHING and bool(number(text))


def money_text(value: Decimal) -> str:
    return f"{value.quantize(CENT)}"


def difference(whole: str, part: str) -> str:
    """``whole - part`` as text (``whole`` as it is when ``part`` is empty; ``whole``
    unchanged when it cannot be read, so checking reports it)."""
    if part in NOTHING and MONEY.fullmatch(whole):
        return whole   # what the general path would write: nothing to subtract or reformat
    total = number(whole)
    if total is None:
        return whole
    return money_text(total - (number(part) or ZERO))


def whole_difference(whole: str, part: str) -> str:
    total, minus = number(whole), number(part)
    if total is None or minus is None:
        return ""
    return str(int(total - minus))


def whole(text: str) -> str:
    value = number(text)
    if value is None:
        return text
    return str(int(value)) if value == value.to_integral_value() else text
