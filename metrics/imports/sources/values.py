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


def money_text(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


def difference(whole: str, part: str) -> str:
    """``whole - part`` as text (``whole`` as it is when ``part`` is empty; ``whole``
    unchanged when it cannot be read, so checking reports it)."""
    total, minus = number(whole), number(part)
    if total is None:
        return whole
    return money_text(total - (minus or Decimal(0)))


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
