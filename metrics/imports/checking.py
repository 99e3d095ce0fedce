"""Set-based checking of the staged rows: one pass converts every cell and lists its
problems, then errors, rejected rows and repeated keys come from SQL over that.

``import_typed`` holds, per staged line, each column in its PostgreSQL type (defaults
applied) and ``problems``: the codes of everything wrong with the row. ``import_errors``
spells those out (line, column, the value as given, a message). The statements are
generated from the kind's declaration; see ``casting`` for the per-type expressions.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import BinaryIO

from django.db import DataError, transaction

from metrics.imports import casting
from metrics.imports.casting import (COMPACT_DATE, CURRENCY_SIGNS, EMAIL_SHAPE, EXCEL_SERIAL, ISO_DATETIME,
                                     SLASH_DATE, UNIX_SECONDS, DateLayout, Options)
from metrics.imports.countries import COUNTRY_CODES
from metrics.imports.excerpts import excerpt, excerpt_sql
from metrics.imports.kinds import COUNTRY, DATE, DATETIME, DECIMAL, KINDS, MONEY, Column, Kind
from metrics.imports.sql import (ERRORS, STAGING, TYPED, UNSURE, default_of, key_condition, literal,
                                 pg_type, quoted, row_values)

REPORTED_ERRORS = 1000  # kept on the import record; rejected.csv has them all
# A date layout other than ISO is read when every non-empty cell of this many first
# rows has it (docs/decisions.md, "Real exports (issue 15)").
LAYOUT_SAMPLE = 1000
# Amounts look like cents when every one is written without decimals and the median
# of the first ones is at least this (per kind; docs/decisions.md).
CENTS_SAMPLE = 10_000
CENTS_MIN_VALUES = 5
CENTS_MEDIAN = {"subscriptions": 1_000, "invoices": 1_000}
CENTS_MEDIAN_OTHERS = 100_000
FORMULA_START = "^[-=+@\\t\\r]"
# A customer_id written as an e-mail whose address several customers share: not guessed.
SHARED_EMAIL = "customer_id:shared_email"
SHARED_EMAIL_MESSAGE = ("this e-mail belongs to more than one of your customers, so which one is meant is "
                        "unknown: write that customer's customer_id instead")
EXAMPLES = 5
PLAIN_NUMBER = "^[+-]?[0-9][0-9., ]*$"


def detect_decimal_comma(cursor, present: list[Column]) -> bool:
    """A ``;`` file uses a decimal comma when any of its amounts contains a comma."""
    numbers = [column for column in present if column.type in (MONEY, DECIMAL)]
    if not numbers:
        return False
    condition = " OR ".join(f"{quoted(column.name)} LIKE '%,%'" for column in numbers)
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {STAGING} WHERE {condition})")
    return cursor.fetchone()[0]


# --- Lenient reading: date layouts, currency signs, cents ------------------------------------------

def _shapes(cell: str) -> dict[str, str]:
    """Conditions on a trimmed cell, one per layout a date column may have."""
    parts = f"regexp_match({cell}, '^([0-9]{{1,2}})[/.-]([0-9]{{1,2}})[/.-]')"
    return {
        "filled": f"{cell} <> ''",
        "iso": f"{cell} LIKE '____-__-__'",
        "timed": f"{cell} ~ '{ISO_DATETIME}' AND length({cell}) > 10",
        "compact": (f"{cell} ~ '{COMPACT_DATE}' AND substr({cell}, 5, 2) BETWEEN '01' AND '12' "
                    f"AND substr({cell}, 7, 2) BETWEEN '01' AND '31'"),
        "unix": f"{cell} ~ '{UNIX_SECONDS}'",
        "excel": f"{cell} ~ '{EXCEL_SERIAL}'",
        "slash": f"{cell} ~ '{SLASH_DATE}'",
        "slash_time": f"{cell} ~ '{SLASH_DATE}' AND length({cell}) > 10",
        "day_first": f"{cell} ~ '{SLASH_DATE}' AND ({parts})[1]::int > 12",
        "month_first": f"{cell} ~ '{SLASH_DATE}' AND ({parts})[2]::int > 12",
        "ampm": f"{cell} ~* '[0-9] ?[ap]\\.?m\\.?$'",
    }


# The longest date or time anyone writes ("Wednesday, 15 January 2024 10:30:00.123456 AM
# +05:30" is 52 characters), with room to spare.
LONGEST_DATE_CELL = 100


def _shape_counts(cursor, cells: dict[str, str], source: str) -> dict[str, dict]:
    """For each named cell expression over ``source``: how many cells have each
    shape, and an example (line, cell) of each shape."""
    selects, keys = [], []
    for name, cell in cells.items():
        for shape, condition in _shapes(cell).items():
            selects.append(f"count(*) FILTER (WHERE {condition})")
            selects.append(f"(array_agg(s.line::text || chr(31) || {cell} ORDER BY s.line) "
                           f"FILTER (WHERE {condition}))[1]")
            keys.append((name, shape))
    cursor.execute(f"SELECT {', '.join(selects)} FROM {source}")
    row = cursor.fetchone()
    found: dict[str, dict] = {}
    for index, (name, shape) in enumerate(keys):
        example = row[2 * index + 1]
        found.setdefault(name, {})[shape] = (row[2 * index], example.split("\x1f", 1) if example else None)
    return found


def detect_layouts(cursor, present: list[Column], options: Options) -> tuple[Options, list[str]]:
    """The layout of each date and datetime column, from the first rows of the file,
    and a note for each layout that is not ISO 8601 (never a silent guess)."""
    columns = [column for column in present if column.type in (DATE, DATETIME)]
    if not columns:
        return options, []
    cells = {column.name: _date_cell(f"s.{quoted(column.name)}") for column in columns}
    names = ", ".join(["line", *(quoted(column.name) for column in columns)])
    found = _shape_counts(cursor, cells, f"(SELECT {names} FROM {STAGING} LIMIT {LAYOUT_SAMPLE}) s")
    layouts, notes = [], []
    for column in columns:
        layout, note = _layout(column, found[column.name], options)
        if layout != DateLayout():
            layouts.append((column.name, layout))
        notes += note
    return replace(options, layouts=tuple(layouts)), notes


def _date_cell(cell: str) -> str:
    """The cell as the shapes read it: trimmed, and empty when far too long to be a
    date (every shape's pattern would otherwise run over all of a 10 MB cell);
    such a cell is still cast later, and rejected there as not a date."""
    return f"CASE WHEN octet_length({cell}) <= {LONGEST_DATE_CELL} THEN btrim({cell}, E' \\t\\r\\n') ELSE '' END"


def _layout(column: Column, shapes: dict, options: Options) -> tuple[DateLayout, list[str]]:
    filled = shapes["filled"][0]
    count = {shape: number for shape, (number, _) in shapes.items()}
    example = {shape: value for shape, (_, value) in shapes.items()}
    name, zone = column.name, options.timezone
    is_date = column.type == DATE

    def seen(shape: str) -> str:
        line, cell = example[shape]
        return f"“{excerpt(cell)}” on line {line}"

    if not filled or count["iso"] == filled:
        return DateLayout(), []
    if count["unix"] == filled:
        return DateLayout(unix=True, time=is_date), [
            f"{name}: read as Unix timestamps (seconds since 1970-01-01 UTC, e.g. {seen('unix')})"
            + (f", each counted as its date in {zone}." if is_date else ".")]
    if count["compact"] == filled:
        return DateLayout(compact=True), [f"{name}: read as YYYYMMDD dates (e.g. {seen('compact')})."]
    if count["excel"] == filled:
        return DateLayout(excel=True, time=is_date), [
            f"{name}: read as spreadsheet day numbers (days since 1899-12-30, e.g. {seen('excel')})."]
    if count["slash"] == filled:
        order, notes = options.date_format, []
        if not order and count["day_first"] and not count["month_first"]:
            order = "DD/MM/YYYY"
            notes.append(f"{name}: read as DD/MM/YYYY ({seen('day_first')} can only be day first).")
        elif not order and count["month_first"] and not count["day_first"]:
            order = "MM/DD/YYYY"
            notes.append(f"{name}: read as MM/DD/YYYY ({seen('month_first')} can only be month first).")
        ampm = count["ampm"] > 0
        if ampm:
            notes.append(f"{name}: 12-hour times (AM/PM) read as 24-hour (e.g. {seen('ampm')}).")
        time = is_date and count["slash_time"] > 0
        if time:
            notes.append(f"{name}: dates with a time of day count as their date in {zone} "
                         f"(e.g. {seen('slash_time')}).")
        return DateLayout(order=order if order != options.date_format else "", ampm=ampm, time=time), notes
    if is_date and count["iso"] + count["timed"] == filled:
        return DateLayout(time=True), [f"{name}: dates with a time of day count as their date in {zone} "
                                       f"(e.g. {seen('timed')})."]
    return DateLayout(), []


def date_hints(cursor, present: list[Column], options: Options) -> None:
    """After errors: where a date column's rejected cells would be read with a
    ``date_format``, its messages say which (the cause, not just the symptom)."""
    columns = [column for column in present if column.type in (DATE, DATETIME)]
    if not columns:
        return
    cells = {column.name: f"CASE WHEN s.column_name = {literal(column.name)} THEN s.value ELSE '' END"
             for column in columns}
    found = _shape_counts(cursor, {name: _date_cell(cell) for name, cell in cells.items()},
                          f"(SELECT e.line, e.column_name, e.value FROM {ERRORS} e "
                          f"WHERE e.message LIKE 'not a date%') s")
    for column in columns:
        shapes = {shape: number for shape, (number, _) in found[column.name].items()}
        if not shapes["filled"] or shapes["slash"] < shapes["filled"]:
            continue
        if shapes["month_first"] and not shapes["day_first"]:
            hint = "these look like MM/DD/YYYY: import with date_format=MM/DD/YYYY"
        elif shapes["day_first"] and not shapes["month_first"]:
            hint = "these look like DD/MM/YYYY: import with date_format=DD/MM/YYYY"
        elif not shapes["day_first"]:
            hint = ("these look like DD/MM/YYYY or MM/DD/YYYY (no day above 12 says which): import with "
                    "date_format=DD/MM/YYYY or date_format=MM/DD/YYYY")
        else:
            hint = "day first and month first are both in the file: write them one way"
        cursor.execute(f"UPDATE {ERRORS} SET message = message || %s "
                       f"WHERE column_name = %s AND message LIKE 'not a date%%'", [f" ({hint})", column.name])


def value_notes(cursor, present: list[Column]) -> list[str]:
    """Notes on the values read leniently: country names read as codes, amounts
    with a currency sign or in accounting parentheses."""
    return _country_notes(cursor, present) + _amount_notes(cursor, present)


def _country_notes(cursor, present: list[Column]) -> list[str]:
    notes = []
    for column in (column for column in present if column.type == COUNTRY):
        cell = f"btrim({quoted(column.name)})"
        codes = ", ".join(literal(code) for code in sorted(COUNTRY_CODES))
        cursor.execute(f"SELECT count(*), (array_agg(cell ORDER BY line))[1], (array_agg(name ORDER BY line))[1] FROM "
                       f"(SELECT line, {cell} AS cell, {casting.country_by_name(cell)} AS name FROM {STAGING} "
                       f"WHERE {cell} <> '' AND upper({cell}) NOT IN ({codes})) s WHERE name IS NOT NULL")
        count, name, code = cursor.fetchone()
        if count:
            notes.append(f"{column.name}: {count:,} country name{'s' if count > 1 else ''} read as "
                         f"{'their codes' if count > 1 else 'its code'} (e.g. “{excerpt(name)}” as {code}).")
    return notes


def _amount_notes(cursor, present: list[Column]) -> list[str]:
    """A note per money column whose cells carry a currency sign or accounting
    parentheses. Such cells are never sure for the optimistic pass, so when it was
    sure of every row (no ``import_unsure`` lines) there is nothing to look for."""
    columns = [column for column in present if column.type == MONEY]
    if not columns:
        return []
    cursor.execute(f"SELECT to_regclass('pg_temp.{UNSURE}') IS NOT NULL")
    if cursor.fetchone()[0]:
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {UNSURE})")
        if not cursor.fetchone()[0]:
            return []
    counts = ", ".join(f"count(*) FILTER (WHERE {quoted(column.name)} ~ '[{CURRENCY_SIGNS}]'), "
                       f"count(*) FILTER (WHERE btrim({quoted(column.name)}) ~ '^\\(.*\\)$')" for column in columns)
    cursor.execute(f"SELECT {counts} FROM {STAGING}")
    row, notes = cursor.fetchone(), []
    for index, column in enumerate(columns):
        signs, parentheses = row[2 * index], row[2 * index + 1]
        if signs:
            notes.append(f"{column.name}: currency signs were left out of {signs:,} amount"
                         f"{'s' if signs > 1 else ''} (the row's currency is its currency column, "
                         f"else your reporting currency).")
        if parentheses:
            notes.append(f"{column.name}: {parentheses:,} amount{'s' if parentheses > 1 else ''} in parentheses "
                         f"read as negative (accounting style).")
    return notes


def cents_warnings(cursor, kind: Kind, present: list[Column], options: Options) -> list[str]:
    """A warning per money column whose amounts look like cents: every one written
    without decimals and the median of the first ones large for the kind."""
    if options.cents:
        return []
    warnings = []
    for column in (column for column in present if column.type == MONEY):
        name = f"t.{quoted(column.name)}"
        # Stops at the first amount with decimals: at once for most files.
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {TYPED} t WHERE scale({name}) > 0)")
        if cursor.fetchone()[0]:
            continue
        cursor.execute(f"SELECT count(*), percentile_disc(0.5) WITHIN GROUP (ORDER BY abs(v)) FROM "
                       f"(SELECT {name} AS v FROM {TYPED} t WHERE {name} <> 0 LIMIT {CENTS_SAMPLE}) s")
        count, median = cursor.fetchone()
        threshold = CENTS_MEDIAN.get(kind.name, CENTS_MEDIAN_OTHERS)
        if count >= CENTS_MIN_VALUES and median >= threshold:
            warnings.append(f"{column.name}: every amount is a whole number and half of them are {median:,} or "
                            f"more: if they are in cents (as Stripe's API and other tools write them), import "
                            f"the file again with amount_unit=cents, which divides them by 100.")
    return warnings


# --- Matching across tools: a customer_id written as an e-mail ------------------------------------

@dataclass
class Linked:
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _listed(examples: list[str], count: int) -> str:
    more = f" and {count - len(examples):,} more" if count > len(examples) else ""
    return ", ".join(examples) + more


def link_emails(cursor, kind: Kind, present: list[Column]) -> Linked:
    """A ``customer_id`` cell holding an e-mail (a CRM's, help desk's or survey tool's
    export) becomes the id of the one customer with that e-mail, compared trimmed and
    case-insensitively (data-contract.md, "Matching across tools"). A cell that is
    already a customer's id stays as it is. An address no customer has is reported:
    kinds that make bare customers make one named by it (the contract's rule for
    unknown ids); the others keep it as given, unlinked. An address several customers
    share is reported and never guessed: a row error where the customer must exist
    (subscriptions, invoices), else the cell stays as given. Set-based: one UPDATE
    joining the customers' lower-cased e-mails, one query for the report."""
    if "customer_id" not in {column.name for column in present}:
        return Linked()
    cell = "btrim(t.customer_id)"
    # LIKE first: it spares most ids the regular expression.
    looks_like_email = f"t.customer_id LIKE '%@%' AND {cell} ~ '{EMAIL_SHAPE}'"
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {TYPED} t WHERE {looks_like_email})")
    if not cursor.fetchone()[0]:
        return Linked()
    customers = KINDS["customers"].table
    owners = (f"SELECT lower(btrim(c.email)) AS address, count(*) AS owners, min(c.customer_id) AS customer_id, "
              f"(array_agg(c.customer_id ORDER BY c.customer_id))[1:3] AS ids FROM {customers} c "
              f"WHERE c.email <> '' GROUP BY 1")
    unknown_id = f"NOT EXISTS (SELECT 1 FROM {customers} x WHERE x.customer_id = t.customer_id)"
    emails = f"{looks_like_email} AND {unknown_id}"
    cursor.execute(f"""
        WITH owners AS ({owners}),
        linked AS (
            UPDATE {TYPED} t SET customer_id = o.customer_id FROM owners o
            WHERE {emails} AND lower({cell}) = o.address AND o.owners = 1
            RETURNING o.address, o.customer_id)
        SELECT count(*), count(DISTINCT address),
               (array_agg(DISTINCT {excerpt_sql("address")} || ' as ' || customer_id))[1:3] FROM linked""")
    rows, addresses, examples = cursor.fetchone()
    found = Linked()
    if rows:
        found.notes.append(f"customer_id: {rows:,} e-mail{'s' if rows > 1 else ''} linked to the customer with "
                           f"that e-mail ({addresses:,} address{'es' if addresses > 1 else ''}; e.g. "
                           f"{', '.join(examples)}).")
    cursor.execute(f"""
        WITH owners AS ({owners})
        SELECT count(DISTINCT lower({cell})) FILTER (WHERE o.owners > 1),
               (array_agg(DISTINCT {excerpt_sql(f"lower({cell})")} || ' (' || array_to_string(o.ids, ', ')
                          || CASE WHEN o.owners > 3 THEN ', ...' ELSE '' END || ')')
                FILTER (WHERE o.owners > 1))[1:{EXAMPLES}],
               count(DISTINCT lower({cell})) FILTER (WHERE o.owners IS NULL),
               (array_agg(DISTINCT {excerpt_sql(cell)}) FILTER (WHERE o.owners IS NULL))[1:{EXAMPLES}]
        FROM {TYPED} t LEFT JOIN owners o ON o.address = lower({cell})
        WHERE {emails}""")
    shared, shared_examples, unmatched, unmatched_examples = cursor.fetchone()
    if shared:
        many = shared > 1
        if kind.creates_customers:
            cursor.execute(f"""
                WITH owners AS ({owners})
                UPDATE {TYPED} t SET problems = t.problems || {literal(SHARED_EMAIL)}::text FROM owners o
                WHERE {emails} AND lower({cell}) = o.address AND o.owners > 1""")
            consequence = "their rows are rejected"
        else:
            consequence = f"{'they were' if many else 'it was'} kept as given, not linked"
        found.warnings.append(
            f"{shared:,} customer_id e-mail{'s' if many else ''} belong{'' if many else 's'} to more than one of "
            f"your customers, so which one is meant is unknown; {consequence}: "
            f"{_listed(shared_examples, shared)}. Give those customers different e-mails, or write the "
            f"customer_id in the file.")
    if unmatched and not kind.creates_customers:
        many = unmatched > 1
        found.warnings.append(
            f"{unmatched:,} customer_id e-mail{'s' if many else ''} match{'' if many else 'es'} none of your "
            f"customers' e-mails; {'they were' if many else 'it was'} kept as given, not linked: "
            f"{_listed(unmatched_examples, unmatched)}. Import those customers (with their e-mail) and this "
            f"file again to link them.")
    return found


def _problem_list(kind: Kind, present: list[Column], options: Options) -> list[tuple[str, str]]:
    found = []
    for column in present:
        text, value = f"n.{quoted(column.name)}", f"t.{quoted(column.name)}"
        found += casting.problems(column, text, value, options)
    typed_values = {column.name: f"coalesce(t.{quoted(column.name)}, {default_of(column)})"
                    for column in present}
    values = {**row_values(kind, present, "t"), **typed_values}
    for index, rule in enumerate(kind.rules):
        found.append((f"{rule.column}:rule{index}", rule.bad.format(**values)))
    if kind.fx_date and "currency" in typed_values:
        currency, day = values["currency"], values[kind.fx_date]
        found.append(("currency:no_rate",
                      f"{currency} NOT IN ('', {literal(options.currency)}) AND {day} IS NOT NULL AND "
                      f"({currency}, date_trunc('month', {day})::date) NOT IN "
                      f"(SELECT currency, month FROM metrics_fxrate)"))
    return found


def build_typed(cursor, kind: Kind, present: list[Column], options: Options) -> None:
    """One pass over the staging table: typed values and the problems of each row.

    Optimistic first when the file has dates or numbers (``casting.optimistic``): rows
    whose cells are not all ``sure`` are then checked again the exact way, and if a
    bare cast fails the statement, the whole pass runs the exact way."""
    cursor.execute(f"DROP TABLE IF EXISTS {TYPED}, {UNSURE}")
    if not (any(casting.optimistic(column, "", options) for column in present)
            and _build_optimistic(cursor, kind, present, options)):
        cursor.execute(f"CREATE TEMP TABLE {TYPED} AS {_typed_query(kind, present, options)}")
    cursor.execute(f"ANALYZE {TYPED}")


def _build_optimistic(cursor, kind: Kind, present: list[Column], options: Options) -> bool:
    try:
        with transaction.atomic():  # a savepoint: a failed cast undoes only this
            cursor.execute(f"CREATE TEMP TABLE {TYPED} AS "
                           f"{_typed_query(kind, present, options, optimistic=True)}")
    except DataError:
        return False
    cursor.execute(f"CREATE TEMP TABLE {UNSURE} AS SELECT line FROM {TYPED} WHERE NOT sure")
    if cursor.rowcount:
        cursor.execute(f"DELETE FROM {TYPED} WHERE NOT sure")
        names = ", ".join(["line", *(quoted(column.name) for column in present), "problems"])
        cursor.execute(f"INSERT INTO {TYPED} ({names}) "
                       f"{_typed_query(kind, present, options, lines=UNSURE)}")
    cursor.execute(f"ALTER TABLE {TYPED} DROP COLUMN sure")
    return True


def _typed_query(kind: Kind, present: list[Column], options: Options, *, optimistic: bool = False,
                 lines: str = "") -> str:
    """The checking SELECT over the staging table (only the ``lines`` listed in that
    table, when given). ``optimistic`` uses bare casts and adds a ``sure`` column."""
    normalised = ", ".join(f"{casting.normalised(column, 's.' + quoted(column.name), options)} "
                           f"AS {quoted(column.name)}" for column in present)
    cells = {column.name: f"n.{quoted(column.name)}" for column in present}
    bare = {column.name: casting.optimistic(column, cells[column.name], options) if optimistic else None
            for column in present}
    typed = ", ".join(f"{bare[column.name] or casting.typed(column, cells[column.name], options)} "
                      f"AS {quoted(column.name)}" for column in present)
    values = ", ".join(f"coalesce(t.{quoted(column.name)}, {default_of(column)})::{pg_type(column)} "
                       f"AS {quoted(column.name)}" for column in present)
    found = _problem_list(kind, present, options)
    flags = ["CASE WHEN s.shape IS NOT NULL THEN 'row:shape' END"]
    flags += [f"CASE WHEN coalesce(({condition}), false) THEN {literal(code)} END" for code, condition in found]
    # Most rows have no problem: one OR over the conditions (NULL counts as false, as
    # in each flag) spares them building and filtering an array.
    any_problem = " OR ".join(["s.shape IS NOT NULL", *(f"({condition})" for _, condition in found)])
    problems = (f"CASE WHEN {any_problem} THEN array_remove(ARRAY[{', '.join(flags)}]::text[], NULL) "
                f"ELSE '{{}}'::text[] END")
    sure = ""
    if optimistic:
        checks = [casting.sure(column, cells[column.name], f"t.{quoted(column.name)}", options)
                  for column in present if bare[column.name]]
        sure = f", {' AND '.join(checks)} AS sure"
    only = f"WHERE s.line IN (SELECT line FROM {lines})" if lines else ""
    # OFFSET 0 keeps each LATERAL level a separate step, so every regular expression
    # and cast runs once per cell even though problems and values both use it.
    return f"""
        SELECT s.line, {values}, {problems} AS problems{sure}
        FROM {STAGING} s
        CROSS JOIN LATERAL (SELECT {normalised} OFFSET 0) n
        CROSS JOIN LATERAL (SELECT {typed} OFFSET 0) t
        {only}"""


def _messages(kind: Kind, present: list[Column], options: Options) -> str:
    """A CASE over problem codes giving the plain-language message."""
    branches = ["WHEN 'row:shape' THEN s.shape"]
    for column in present:
        for code, _ in casting.problems(column, "", "", options):
            problem = code.split(":", 1)[1]
            branches.append(f"WHEN {literal(code)} THEN {literal(casting.message(column, problem, options))}")
    for index, rule in enumerate(kind.rules):
        branches.append(f"WHEN {literal(f'{rule.column}:rule{index}')} THEN {literal(rule.message)}")
    if kind.creates_customers and "customer_id" in {column.name for column in present}:
        branches.append(f"WHEN {literal(SHARED_EMAIL)} THEN {literal(SHARED_EMAIL_MESSAGE)}")
    if kind.fx_date and "currency" in {column.name for column in present}:
        branches.append(
            "WHEN 'currency:no_rate' THEN format('no exchange rate for %s in %s: import an fx_rates "
            f"row for that month first', t.currency, to_char(t.{quoted(kind.fx_date)}, 'YYYY-MM'))")
    return "CASE p.code " + " ".join(dict.fromkeys(branches)) + " END"


def collect_errors(cursor, kind: Kind, present: list[Column], options: Options) -> int:
    """Spell out every problem; returns how many rows have at least one."""
    raw = " ".join(f"WHEN {literal(column.name)} THEN s.{quoted(column.name)}" for column in present)
    cursor.execute(f"DROP TABLE IF EXISTS {ERRORS}")
    cursor.execute(f"""
        CREATE TEMP TABLE {ERRORS} AS
        SELECT t.line, p.ord,
               CASE WHEN p.code = 'row:shape' THEN '' ELSE split_part(p.code, ':', 1) END AS column_name,
               coalesce(CASE split_part(p.code, ':', 1) {raw} END, '') AS value,
               {_messages(kind, present, options)} AS message
        FROM {TYPED} t
        CROSS JOIN LATERAL unnest(t.problems) WITH ORDINALITY AS p (code, ord)
        JOIN {STAGING} s ON s.line = t.line
        WHERE cardinality(t.problems) > 0""")
    cursor.execute(f"SELECT count(DISTINCT line) FROM {ERRORS}")
    rows = cursor.fetchone()[0]
    if rows:
        date_hints(cursor, present, options)
    return rows


def reported_errors(cursor, limit: int = REPORTED_ERRORS) -> list[dict]:
    """The first errors, each quoting an excerpt of its cell (``excerpts``)."""
    cursor.execute(f"SELECT line, column_name, {excerpt_sql('value')}, message FROM {ERRORS} "
                   f"ORDER BY line, ord LIMIT %s", [limit])
    return [{"line": line, "column": column, "value": value, "message": message}
            for line, column, value, message in cursor.fetchall()]


def error_count(cursor) -> int:
    cursor.execute(f"SELECT count(*) FROM {ERRORS}")
    return cursor.fetchone()[0]


def safe_cell_sql(expression: str) -> str:
    """Spreadsheet-safe text: a leading = + - @ tab or CR gets an apostrophe, except
    in a plain number (a negative amount stays a number)."""
    return (f"CASE WHEN {expression} ~ '{FORMULA_START}' AND {expression} !~ '{PLAIN_NUMBER}' "
            f"THEN '''' || {expression} ELSE {expression} END")


def write_rejected_csv(cursor, present: list[Column], out: BinaryIO) -> None:
    """The rejected rows as given, plus an ``error`` column, ready to fix and upload."""
    cells = ", ".join(f"{safe_cell_sql('s.' + quoted(column.name))} AS {quoted(column.name)}"
                      for column in present)
    query = f"""
        WITH e AS (
            SELECT line, 'line ' || line || ': ' || string_agg(
                CASE WHEN column_name = '' THEN message ELSE column_name || ': ' || message END,
                '; ' ORDER BY ord) AS error
            FROM {ERRORS} GROUP BY line)
        SELECT {cells}, {safe_cell_sql('e.error')} AS error
        FROM {STAGING} s JOIN e ON e.line = s.line ORDER BY s.line"""
    with cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER)") as copy:
        for block in copy:
            out.write(block)


def drop_rejected(cursor) -> None:
    cursor.execute(f"DELETE FROM {TYPED} WHERE cardinality(problems) > 0")


def drop_superseded(cursor, kind: Kind, present: list[Column]) -> list[str]:
    """A key given twice: the later row wins (it would have updated the earlier one).
    Returns warnings naming the lines that were replaced."""
    warnings = []
    values = row_values(kind, present, "v")
    for key in kind.keys:
        columns = [values[name] for name in key.columns]
        # Most files repeat no key. Counting distinct keys (a sort) says so faster than
        # the grouping below (a hash of every key), which then only runs for a file
        # that does repeat one.
        distinct = columns[0] if len(columns) == 1 else f"ROW({', '.join(columns)})"
        cursor.execute(f"SELECT count(*) > count(DISTINCT {distinct}) FROM {TYPED} v "
                       f"WHERE {key_condition(key, values)}")
        if not cursor.fetchone()[0]:
            continue
        grouped = ", ".join(f"{expression} AS k{index}" for index, expression in enumerate(columns))
        same = " AND ".join(f"{expression} = d.k{index}" for index, expression in enumerate(columns))
        cursor.execute(f"""
            WITH d AS (SELECT {grouped}, max(v.line) AS kept FROM {TYPED} v
                       WHERE {key_condition(key, values)}
                       GROUP BY {', '.join(f'k{index}' for index in range(len(columns)))}
                       HAVING count(*) > 1),
                 gone AS (DELETE FROM {TYPED} v USING d
                          WHERE {same} AND v.line < d.kept AND {key_condition(key, values)}
                          RETURNING v.line, d.kept)
            SELECT count(*), (array_agg('line ' || line || ' (by line ' || kept || ')' ORDER BY line))[1:5]
            FROM gone""")
        count, examples = cursor.fetchone()
        if count:
            more = f" and {count - len(examples)} more" if count > len(examples) else ""
            warnings.append(f"{count} row{'s' if count > 1 else ''} repeat the {' + '.join(key.columns)} of a "
                            f"later row and {'were' if count > 1 else 'was'} replaced by it: "
                            f"{', '.join(examples)}{more}.")
    return warnings


def drop_work_tables(cursor) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {ERRORS}, {UNSURE}, {TYPED}, {STAGING}")
