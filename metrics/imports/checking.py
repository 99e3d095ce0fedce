"""Set-based checking of the staged rows: one pass converts every cell and lists its
problems, then errors, rejected rows and repeated keys come from SQL over that.

``import_typed`` holds, per staged line, each column in its PostgreSQL type (defaults
applied) and ``problems``: the codes of everything wrong with the row. ``import_errors``
spells those out (line, column, the value as given, a message). The statements are
generated from the kind's declaration; see ``casting`` for the per-type expressions.
"""

from __future__ import annotations

from typing import BinaryIO

from django.db import DataError, transaction

from metrics.imports import casting
from metrics.imports.casting import Options
from metrics.imports.kinds import DECIMAL, MONEY, Column, Kind
from metrics.imports.sql import (ERRORS, STAGING, TYPED, UNSURE, default_of, key_condition, literal,
                                 pg_type, quoted, row_values)

REPORTED_ERRORS = 1000  # kept on the import record; rejected.csv has them all
FORMULA_START = "^[-=+@\\t\\r]"
PLAIN_NUMBER = "^[+-]?[0-9][0-9., ]*$"


def detect_decimal_comma(cursor, present: list[Column]) -> bool:
    """A ``;`` file uses a decimal comma when any of its amounts contains a comma."""
    numbers = [column for column in present if column.type in (MONEY, DECIMAL)]
    if not numbers:
        return False
    condition = " OR ".join(f"{quoted(column.name)} LIKE '%,%'" for column in numbers)
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {STAGING} WHERE {condition})")
    return cursor.fetchone()[0]


def _problem_list(kind: Kind, present: list[Column], options: Options) -> list[tuple[str, str]]:
    found = []
    for column in present:
        text, value = f"n.{quoted(column.name)}", f"t.{quoted(column.name)}"
        found += casting.problems(column, text, value)
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
        checks = [casting.sure(column, cells[column.name], f"t.{quoted(column.name)}") for column in present
                  if bare[column.name]]
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
        for code, _ in casting.problems(column, "", ""):
            problem = code.split(":", 1)[1]
            branches.append(f"WHEN {literal(code)} THEN {literal(casting.message(column, problem, options))}")
    for index, rule in enumerate(kind.rules):
        branches.append(f"WHEN {literal(f'{rule.column}:rule{index}')} THEN {literal(rule.message)}")
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
    return cursor.fetchone()[0]


def reported_errors(cursor, limit: int = REPORTED_ERRORS) -> list[dict]:
    cursor.execute(f"SELECT line, column_name, value, message FROM {ERRORS} ORDER BY line, ord LIMIT %s",
                   [limit])
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
