"""How each column type of ``kinds`` is read from staged text, as SQL expressions.

Staged cells are text. For every column the check query builds three things:

* ``normalised``: the trimmed cell, NULL when empty, dates rewritten to ISO when the
  import names a ``date_format``;
* ``typed``: the value in its PostgreSQL type, or NULL when the text is not valid.
  Every cast sits behind a regular expression in a ``CASE`` (PostgreSQL evaluates
  ``CASE`` branches in order), so a bad cell yields NULL instead of aborting the whole
  statement;
* ``problems``: (code, condition) pairs; ``messages`` turns a code into plain words.

Those guarded casts are exact but dear (a pattern, or several substrings, per cell).
Dates and numbers also have an optimistic spelling (``optimistic``): a bare cast, and
a cheap test that the cast's canonical text is the cell itself (``sure``). Where that
holds, the bare cast gives the same value as the guarded one, so the checking pass can
use it; a row where it does not hold is checked again the exact way, and a cell the
bare cast cannot read at all fails the statement, which is then run the exact way.

Lenient reading (data-contract.md): a date column may hold another layout that
``checking.detect_layouts`` found in the file (``DateLayout``); ``normalised`` rewrites
such cells to ISO text first, so everything after it is the same as for ISO files.
Amounts may carry a currency sign and accounting parentheses (``typed``, only for
cells that are not plain numbers), and ``amount_unit=cents`` divides money by 100.

Expressions are generated, never built from user input: column names come from the
declarations, and the few option values are validated before they are quoted here.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from metrics.date_window import date_window, window_text

from metrics.imports.countries import COUNTRY_CODES, COUNTRY_NAMES
from metrics.imports.kinds import (BOOL, CHOICE, COUNTRY, CURRENCY, DATE, DATETIME, DECIMAL, EMAIL,
                                   INT, MONEY, MONTH, SLUG, STR, Column)
from metrics.imports.sql import literal

GROUPING = "  \u00a0\u202f"  # space, no-break space, narrow no-break space (with ',' or '.')
INT_MAX = 2_147_483_647
TRUE_WORDS, FALSE_WORDS = ("true", "yes", "1"), ("false", "no", "0")
ISO_DATETIME = ("^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,6})?)?"
                "( ?(Z|[+-][0-9]{2}(:?[0-9]{2})?))?)?$")
HAS_OFFSET = "[T ][0-9:.]+ ?(Z|[+-][0-9]{2}(:?[0-9]{2})?)$"
# A slash date (either order), maybe followed by a time.
SLASH_DATE = "^[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{4}([T ].*)?$"
TWELVE_HOUR = "^([0-9]{4}-[0-9]{2}-[0-9]{2})[T ]+([0-9]{1,2}):([0-9]{2})(:[0-9]{2})? ?([AaPp])\\.?[Mm]\\.?$"
COMPACT_DATE = "^[0-9]{8}$"           # YYYYMMDD (GA4)
UNIX_SECONDS = "^[0-9]{9,10}$"        # 1973 to 2286
EXCEL_SERIAL = "^[0-9]{5}(\\.[0-9]{1,10})?$"   # days since 1899-12-30: 1927 to 2173
CURRENCY_SIGNS = "$€£¥"
EMAIL_SHAPE = "^[^@[:space:]]+@[^@[:space:]]+\\.[^@[:space:]]+$"


@dataclass(frozen=True)
class DateLayout:
    """How a date or datetime column of one file is written, when not in ISO 8601."""

    order: str = ""         # "DD/MM/YYYY" or "MM/DD/YYYY": slash dates
    ampm: bool = False      # 12-hour times, "02:41:51 PM"
    compact: bool = False   # YYYYMMDD
    unix: bool = False      # seconds since 1970-01-01 UTC
    excel: bool = False     # a spreadsheet's day number (days since 1899-12-30)
    time: bool = False      # a date column holding datetimes: each counts as its date


@dataclass(frozen=True)
class Options:
    """What the whole file shares: the named date layout, whether numbers use a
    decimal comma (``;`` files only), the tenant's time zone and currency, and whether
    staging already knows that no cell starts or ends with whitespace."""

    date_format: str = ""
    decimal_comma: bool = False
    timezone: str = "UTC"
    currency: str = "USD"
    trimmed: bool = False
    amount_unit: str = "units"  # "cents": money columns are written in cents
    layouts: tuple[tuple[str, DateLayout], ...] = ()   # (column, layout) found in the file
    # The dates accepted (metrics/date_window.py): (first, last), both included.
    window: tuple[date, date] = field(default_factory=date_window)

    def layout(self, name: str) -> DateLayout:
        return dict(self.layouts).get(name) or DateLayout()

    @property
    def cents(self) -> bool:
        return self.amount_unit == "cents"


def normalised(column: Column, raw: str, options: Options) -> str:
    # Trimming costs about as much as a cast; skipped when no cell can need it.
    text = f"NULLIF({raw}, '')" if options.trimmed else f"NULLIF(btrim({raw}, E' \\t\\r\\n'), '')"
    if column.type not in (DATE, DATETIME):
        return text
    layout = options.layout(column.name)
    order = layout.order or options.date_format
    if order:
        day_first = order == "DD/MM/YYYY"
        padded = (f"regexp_replace(regexp_replace({text}, '^([0-9])[/.-]', '0\\1/'), "
                  f"'^([0-9]{{2}})[/.-]([0-9])([/.-])', '\\1/0\\2\\3')")
        rewrite = "\\3-\\2-\\1" if day_first else "\\3-\\1-\\2"
        text = f"regexp_replace({padded}, '^([0-9]{{2}})[/.-]([0-9]{{2}})[/.-]([0-9]{{4}})', '{rewrite}')"
    # Each rewrite below names its input once (``_let``): nested, they would repeat it.
    if layout.ampm:
        text = _let(text, lambda v: _let(f"regexp_match({v}, '{TWELVE_HOUR}')", lambda m: (
            f"CASE WHEN {m} IS NULL OR {m}[2]::int NOT BETWEEN 1 AND 12 THEN {v} "
            f"ELSE {m}[1] || ' ' || lpad(({m}[2]::int % 12 + CASE WHEN lower({m}[5]) = 'p' THEN 12 ELSE 0 END)"
            f"::text, 2, '0') || ':' || {m}[3] || coalesce({m}[4], '') END")))
    if layout.compact:
        text = _let(text, lambda v: (f"CASE WHEN {v} ~ '{COMPACT_DATE}' THEN substr({v}, 1, 4) || '-' || "
                                     f"substr({v}, 5, 2) || '-' || substr({v}, 7, 2) ELSE {v} END"))
    if layout.unix:
        text = _let(text, lambda v: (f"CASE WHEN {v} ~ '{UNIX_SECONDS}' THEN to_char(to_timestamp({v}::bigint) "
                                     f"AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') ELSE {v} END"))
    if layout.excel:
        text = _let(text, lambda v: (
            f"CASE WHEN {v} ~ '^[0-9]{{5}}$' THEN to_char(date '1899-12-30' + {v}::int, 'YYYY-MM-DD') "
            f"WHEN {v} ~ '{EXCEL_SERIAL}' THEN to_char(timestamp '1899-12-30' + round({v}::numeric * 86400) "
            f"* interval '1 second', 'YYYY-MM-DD\"T\"HH24:MI:SS') ELSE {v} END"))
    if layout.time and column.type == DATE:
        instant = Column(column.name, DATETIME)
        text = _let(text, lambda v: (
            f"CASE WHEN length({v}) > 10 THEN coalesce(to_char(({typed(instant, v, options)}) AT TIME ZONE "
            f"{literal(options.timezone)}, 'YYYY-MM-DD'), {v}) ELSE {v} END"))
    return text


_LETS = itertools.count(1)


def _let(value: str, body) -> str:
    """``body`` over ``value`` computed once: a scalar subquery binding it to a name."""
    name = f"_v{next(_LETS)}"
    return f"(SELECT {body(name)} FROM (SELECT {value} AS {name}) AS {name}_)"


def _valid_iso_date(text: str) -> str:
    """True for a real calendar day; only evaluated on text of the ISO date shape."""
    month, day, year = f"substr({text}, 6, 2)", f"substr({text}, 9, 2)::int", f"substr({text}, 1, 4)::int"
    leap = f"({year} % 4 = 0 AND ({year} % 100 <> 0 OR {year} % 400 = 0))"
    days = (f"CASE WHEN {month} IN ('04', '06', '09', '11') THEN 30 "
            f"WHEN {month} = '02' THEN CASE WHEN {leap} THEN 29 ELSE 28 END ELSE 31 END")
    return f"({year} >= 1 AND {month} BETWEEN '01' AND '12' AND {day} BETWEEN 1 AND {days})"


def _iso_date_shape(text: str) -> str:
    """YYYY-MM-DD (``~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'``), spelled without a regular
    expression: ten characters, dashes at 5 and 8, digits elsewhere. The same test,
    cheaper: that regular expression was the dearest step of checking dates."""
    return f"({text} LIKE '____-__-__' AND translate({text}, '0123456789', '') = '--')"


def _number_test(text: str, options: Options, *, whole: bool) -> str:
    """``text`` matches the number shape. The plain shape (digits, maybe a fraction)
    is tried first: it is a subset of the full one, far cheaper, and what most cells
    look like; only the rest pay for the pattern with digit grouping."""
    pattern, _ = _number_shape(options, whole=whole)
    point = "," if options.decimal_comma else "."
    plain = "^[+-]?[0-9]+" + ("" if whole else f"(\\{point}[0-9]+)?") + "$"
    return f"({text} ~ '{plain}' OR {text} ~ '{pattern}')"


def _number_shape(options: Options, *, whole: bool) -> tuple[str, str]:
    """The pattern a number must match and the expression that strips its grouping."""
    group, point = (".", ",") if options.decimal_comma else (",", ".")
    fraction = "" if whole else f"(\\{point}[0-9]+)?"
    pattern = f"^[+-]?([0-9]{{1,3}}([\\{group}{GROUPING}][0-9]{{3}})+|[0-9]+){fraction}$"
    return pattern, f"{group}{GROUPING}"


def _money_shape(options: Options) -> str:
    """An amount with a currency sign before or after it (``$1,250.00``, ``-$5``,
    ``1.250,00 €``), or a negative one in parentheses (``(12.50)``, accounting style)."""
    group, point = (".", ",") if options.decimal_comma else (",", ".")
    number = f"([0-9]{{1,3}}([\\{group}{GROUPING}][0-9]{{3}})+|[0-9]+)(\\{point}[0-9]+)?"
    sign, space = f"[{CURRENCY_SIGNS}]", "[ \u00a0\u202f]?"
    before, after = f"{sign}{space}", f"{space}{sign}"
    return (f"^(\\(({before})?{number}({after})?\\)|[+-]?({before})?{number}({after})?"
            f"|{before}[+-]{number}({after})?)$")


def _signed_amount(text: str, options: Options) -> str:
    """The digits of an amount of ``_money_shape``, with its sign: only ever
    evaluated on text of that shape, so the cast cannot fail."""
    _, strip = _number_shape(options, whole=False)
    digits = f"translate({text}, {literal('()+-' + CURRENCY_SIGNS + strip)}, '')"
    if options.decimal_comma:
        digits = f"replace({digits}, ',', '.')"
    return f"(CASE WHEN {text} ~ '^[(-]|^[{CURRENCY_SIGNS}][ \u00a0\u202f]?-' THEN '-' ELSE '' END || {digits})"


def _plain_number(text: str, options: Options, *, whole: bool = False) -> str:
    _, strip = _number_shape(options, whole=whole)
    plain = f"translate({text}, {literal(strip)}, '')"
    return f"replace({plain}, ',', '.')" if options.decimal_comma else plain


def typed(column: Column, text: str, options: Options) -> str:
    """The typed value of normalised ``text``: NULL when empty or not valid."""
    kind = column.type
    if kind in (STR, EMAIL, SLUG):
        return text
    if kind == CHOICE:
        # Most cells are spelled as declared: the exact match spares them lower().
        choices = ", ".join(literal(choice) for choice in column.choices)
        return (f"CASE WHEN {text} IN ({choices}) THEN {text} "
                f"WHEN lower({text}) IN ({choices}) THEN lower({text}) END")
    if kind == DATE:
        return f"CASE WHEN {_iso_date_shape(text)} THEN CASE WHEN {_valid_iso_date(text)} THEN {text}::date END END"
    if kind == DATETIME:
        day = f"left({text}, 10)"
        # Positions of HH, MM and SS in an ISO text that matched; absent parts read ''.
        clock = (f"(substr({text}, 12, 2) < '24' AND substr({text}, 15, 2) < '60' "
                 f"AND (substr({text}, 17, 1) <> ':' OR substr({text}, 18, 2) < '60'))")
        local = f"({text}::timestamp AT TIME ZONE {literal(options.timezone)})"
        value = f"CASE WHEN {text} ~ '{HAS_OFFSET}' THEN {text}::timestamptz ELSE {local} END"
        return (f"CASE WHEN {text} ~ '{ISO_DATETIME}' THEN CASE WHEN {_valid_iso_date(day)} AND {clock} "
                f"THEN {value} END END")
    if kind == MONEY:
        value = (f"CASE WHEN {_number_test(text, options, whole=False)} THEN {_plain_number(text, options)}::numeric "
                 f"WHEN {text} ~ '{_money_shape(options)}' THEN {_signed_amount(text, options)}::numeric END")
        return f"({value}) * 0.01" if options.cents else value
    if kind == DECIMAL:
        return f"CASE WHEN {_number_test(text, options, whole=False)} THEN {_plain_number(text, options)}::numeric END"
    if kind == INT:
        plain = _plain_number(text, options, whole=True)
        return (f"CASE WHEN {_number_test(text, options, whole=True)} AND length({plain}) <= 12 "
                f"THEN {plain}::bigint END")
    if kind == BOOL:
        words = ", ".join(literal(word) for word in TRUE_WORDS + FALSE_WORDS)
        truths = ", ".join(literal(word) for word in TRUE_WORDS)
        return f"CASE WHEN lower({text}) IN ({words}) THEN lower({text}) IN ({truths}) END"
    if kind == COUNTRY:
        codes = ", ".join(literal(code) for code in sorted(COUNTRY_CODES))
        return (f"CASE WHEN upper({text}) IN ({codes}) THEN upper({text}) "
                f"ELSE {country_by_name(text)} END")
    if kind == CURRENCY:
        return f"CASE WHEN {text} ~ '^[A-Za-z]{{3}}$' THEN upper({text}) END"
    if kind == MONTH:
        return (f"CASE WHEN {text} ~ '^[0-9]{{4}}-(0[1-9]|1[0-2])$' AND left({text}, 4) <> '0000' "
                f"THEN ({text} || '-01')::date END")
    raise ValueError(f"unknown column type {kind}")


def country_by_name(text: str) -> str:
    """The code of a country name (``United Kingdom`` -> GB), NULL for no name."""
    names = literal(json.dumps(COUNTRY_NAMES, ensure_ascii=False, sort_keys=True))
    return f"({names}::jsonb ->> lower(regexp_replace({text}, '\\s+', ' ', 'g')))"


OPTIMISTIC_CASTS = {DATE: "date", MONEY: "numeric", DECIMAL: "numeric", INT: "bigint"}


def optimistic(column: Column, text: str, options: Options) -> str | None:
    """The bare cast of normalised ``text`` (it raises on a cell it cannot read; a
    date is cast only when it has the YYYY-MM-DD layout), or None for types without
    an optimistic spelling. Numbers with a decimal comma have none: their casts would
    fail on nearly every file."""
    if options.decimal_comma and column.type in (MONEY, DECIMAL, INT):
        return None
    if column.type == DATE:
        # A cell of another length or layout (n/a, 31/01/2024) is no date for the
        # exact way either: NULL here too, rather than a failed cast and a second pass.
        return f"CASE WHEN {text} LIKE '____-__-__' THEN {text}::date END"
    cast = OPTIMISTIC_CASTS.get(column.type)
    if column.type == MONEY and options.cents:
        return f"{text}::numeric * 0.01"
    return f"{text}::{cast}" if cast else None


def sure(column: Column, text: str, value: str, options: Options | None = None) -> str:
    """True when the optimistic ``value`` of ``text`` is what ``typed`` gives (an
    empty cell is sure: NULL either way).

    It compares the value's output text with the cell (PostgreSQL writes dates as
    YYYY-MM-DD under DateStyle ISO, numbers as plain digits with ``.``). A cell the
    cast reads but writes differently (``+5``, ``007``, ``1,234``, ``1e3``, ``.5``,
    ``2024-1-5``, ``today``) is not sure and goes the exact way. The ranges close the
    gaps where the text matches but the exact way refuses: BC or five-digit years,
    NaN and infinities, whole numbers of more than 12 characters."""
    settled = f"{text} IS NULL"
    if column.type == DATE:
        # NULL for a non-empty cell: it failed the layout test, as it does the exact way.
        settled += f" OR {value} IS NULL"
        in_range = f"{value} BETWEEN '0001-01-01' AND '9999-12-31'"
    elif column.type == MONEY and options is not None and options.cents:
        # The cell is the value times 100, written with the scale the cell had.
        return (f"({settled} OR (round({value} * 100, scale({value}) - 2)::text = {text} "
                f"AND abs({value}) < 'Infinity'))")
    elif column.type in (MONEY, DECIMAL):
        in_range = f"abs({value}) < 'Infinity'"
    elif column.type == INT:
        in_range = f"{value} BETWEEN -99999999999 AND 999999999999"
    else:
        return "TRUE"
    return f"({settled} OR ({value}::text = {text} AND {in_range}))"


def problems(column: Column, text: str, value: str, options: Options | None = None) -> list[tuple[str, str]]:
    """(code, condition) for each way the cell can be wrong; ``text`` is the
    normalised cell, ``value`` the typed one."""
    name, found = column.name, []
    options = options or Options()
    if column.required:
        found.append((f"{name}:required", f"{text} IS NULL"))
    if column.type in (STR, EMAIL, SLUG):
        if column.max_length:
            # A text of at most N bytes has at most N characters; its byte length is
            # known without reading it, while length() counts its characters.
            found.append((f"{name}:too_long", f"octet_length({text}) > {column.max_length} "
                                              f"AND length({text}) > {column.max_length}"))
        if column.type == EMAIL:
            found.append((f"{name}:invalid", f"{text} !~ '{EMAIL_SHAPE}'"))
        if column.type == SLUG:
            found.append((f"{name}:invalid", f"{text} !~ '^[a-z0-9_]+$'"))
        return found
    found.append((f"{name}:invalid", f"{text} IS NOT NULL AND {value} IS NULL"))
    if column.type in (DATE, MONTH, DATETIME):
        found.append((f"{name}:outside_window", _outside_window(column, value, options)))
    if column.type in (MONEY, DECIMAL):
        integer_digits = column.max_digits - column.decimal_places
        found.append((f"{name}:decimals", f"scale({value}) > {column.decimal_places}"))
        found.append((f"{name}:too_large", f"abs({value}) >= 1e{integer_digits}"))
        if not column.negative:
            found.append((f"{name}:negative", f"{value} < 0"))
        if column.positive:
            found.append((f"{name}:not_positive", f"{value} <= 0"))
    if column.type == INT:
        found.append((f"{name}:range", f"{value} < {column.minimum or 0}"))
        found.append((f"{name}:too_large", f"{value} > {INT_MAX}"))
    return found


def _outside_window(column: Column, value: str, options: Options) -> str:
    """A date before the window's first day or after its last; a datetime by the
    instants those days start and end at in the tenant's time zone."""
    first, last = options.window
    if column.type != DATETIME:
        return f"{value} NOT BETWEEN DATE {literal(first.isoformat())} AND DATE {literal(last.isoformat())}"
    zone = ZoneInfo(options.timezone)
    start = datetime(first.year, first.month, first.day, tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    return (f"({value} < TIMESTAMPTZ {literal(start.isoformat())} "
            f"OR {value} >= TIMESTAMPTZ {literal(end.isoformat())})")


def message(column: Column, problem: str, options: Options) -> str:
    """The plain-language text of a problem code of ``column``."""
    dates = " or ".join(["YYYY-MM-DD", *([options.date_format] if options.date_format else [])])
    point = "," if options.decimal_comma else "."
    invalid = {
        DATE: f"not a date: use {dates}",
        DATETIME: f"not a date and time: use ISO 8601, e.g. 2024-03-31T14:30:00 or with an offset "
                  f"2024-03-31T14:30:00+01:00 (dates as {dates})",
        MONEY: f"not an amount: use digits with {point} as decimal point, e.g. 1234{point}50"
               + (" (in cents: amount_unit=cents divides it by 100)" if options.cents else ""),
        DECIMAL: f"not a number: use digits with {point} as decimal point",
        INT: "not a whole number",
        BOOL: "use true/false, yes/no or 1/0",
        CHOICE: "must be one of: " + ", ".join(column.choices),
        COUNTRY: "not an ISO 3166 country code (two letters, e.g. US, GB, DE) or a country's name",
        CURRENCY: "not a currency code (three letters, e.g. EUR)",
        MONTH: "not a month: use YYYY-MM",
        EMAIL: "not an e-mail address",
        SLUG: "use lowercase letters, digits and _ only",
    }
    texts = {
        "required": f"{column.name} is required",
        "too_long": f"longer than {column.max_length} characters",
        "invalid": invalid.get(column.type, "not valid"),
        "decimals": f"more than {column.decimal_places} decimal places",
        "too_large": "too large",
        "negative": "must not be negative",
        "not_positive": "must be greater than 0",
        "range": f"must be at least {column.minimum or 0}",
        "outside_window": f"outside the dates KPI Hub accepts ({window_text(options.window)}; "
                          f"KPIHUB_DATE_WINDOW): check the year",
    }
    return texts[problem]
