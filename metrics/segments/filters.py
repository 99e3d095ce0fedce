"""The one filter syntax of KPI Hub (api.md): ``attribute:value1|value2`` joined by
``,`` (AND), e.g. ``plan:pro,country:DE|FR``. Read here once, for the API and the pages
alike; what a filter selects is metrics/segments/engine.py's business.

Parsing is strict, since a filter that silently matches nothing (a typo in an attribute)
would show a plausible but wrong figure: an unknown attribute, an empty value or a
repeated attribute is a 400 that says why, naming the known attributes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rest_framework.exceptions import ValidationError

# The customer's own columns, then the subscription's (a plan filter keeps the
# subscriptions on that plan), then the derived first paid month (YYYY-MM).
CUSTOMER_COLUMNS = ("channel", "country", "segment")
SUBSCRIPTION_COLUMNS = ("plan", "currency", "interval")
ATTRIBUTES = ("plan", "channel", "country", "segment", "currency", "interval", "first_paid_month")
MAX_LENGTH = 2000
MAX_CONDITIONS = 20
MAX_VALUES = 100


@dataclass(frozen=True)
class Condition:
    """One attribute and the values it may have (OR)."""

    attribute: str
    values: tuple[str, ...]

    @property
    def text(self) -> str:
        return f"{self.attribute}:{'|'.join(self.values)}"


@dataclass(frozen=True)
class CustomerFilter:
    """Conditions that must all hold (AND); empty: everyone."""

    conditions: tuple[Condition, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.conditions)

    @property
    def text(self) -> str:
        """The filter in its canonical spelling (the one the pages put in URLs)."""
        return ",".join(condition.text for condition in self.conditions)

    @property
    def extra(self) -> tuple[Condition, ...]:
        """Conditions on extra customer columns (Customer.attributes)."""
        return tuple(c for c in self.conditions if c.attribute not in ATTRIBUTES)

    def on(self, *attributes: str) -> tuple[Condition, ...]:
        return tuple(c for c in self.conditions if c.attribute in attributes)


EVERYONE = CustomerFilter()


def parse_filter(text: str | None, *, extra_attributes: Iterable[str] = (), field: str = "filter") -> CustomerFilter:
    """The filter ``text`` spells; ``extra_attributes``: the extra customer columns the
    company's imports kept. Raises a 400 ``ValidationError`` on ``field`` saying what is
    wrong."""
    if text is None or not text.strip():
        return EVERYONE

    def bad(message: str) -> ValidationError:
        return ValidationError({field: [message]})

    if len(text) > MAX_LENGTH:
        raise bad(f"A filter is at most {MAX_LENGTH} characters long.")
    if "\x00" in text:
        raise bad("A filter cannot contain a NUL character.")
    known = (*ATTRIBUTES, *sorted(set(extra_attributes) - set(ATTRIBUTES)))
    parts = text.split(",")
    if len(parts) > MAX_CONDITIONS:
        raise bad(f"A filter has at most {MAX_CONDITIONS} conditions.")
    conditions: list[Condition] = []
    for part in parts:
        attribute, colon, values_text = part.partition(":")
        attribute = attribute.strip()
        if not colon or not attribute:
            raise bad(f"Write each condition as attribute:value1|value2, not {part[:80]!r}.")
        if attribute not in known:
            raise bad(f"Unknown attribute {attribute[:80]!r}; known attributes: {', '.join(known)}.")
        if any(c.attribute == attribute for c in conditions):
            raise bad(f"{attribute} appears twice; list its values once, separated by |.")
        values = tuple(dict.fromkeys(value.strip() for value in values_text.split("|")))
        if len(values) > MAX_VALUES:
            raise bad(f"A condition lists at most {MAX_VALUES} values.")
        if any(value == "" for value in values):
            raise bad(f"{attribute} has an empty value.")
        if attribute == "country":
            values = tuple(dict.fromkeys(value.upper() for value in values))
        conditions.append(Condition(attribute, values))
    return CustomerFilter(tuple(conditions))
