"""The cheap spellings of the shape tests in ``casting`` accept exactly what the
regular expressions they stand for accept (hypothesis, evaluated by PostgreSQL)."""

from __future__ import annotations

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics.imports.casting import Options, _iso_date_shape, _number_shape, _number_test

pytestmark = pytest.mark.django_db
cells = st.text(alphabet="0123456789-+.,/ aZ\u00a0", max_size=14)
near_dates = st.builds(lambda y, m, d, sep: f"{y}{sep}{m}{sep}{d}",
                       st.text("0123456789", min_size=3, max_size=5), st.text("0123456789x", min_size=1, max_size=3),
                       st.text("0123456789", min_size=1, max_size=3), st.sampled_from(["-", "/", ".", "--"]))


def evaluate(expression: str, cell: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce({expression.replace('CELL', '%(cell)s::text')}, false)", {"cell": cell})
        return cursor.fetchone()[0]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cell=st.one_of(cells, near_dates))
def test_the_date_shape_is_the_iso_date_pattern(cell):
    assert evaluate(_iso_date_shape("CELL"), cell) == evaluate("CELL ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'", cell)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cell=cells, decimal_comma=st.booleans(), whole=st.booleans())
def test_the_number_test_is_the_number_pattern(cell, decimal_comma, whole):
    options = Options(decimal_comma=decimal_comma)
    pattern, _ = _number_shape(options, whole=whole)
    assert evaluate(_number_test("CELL", options, whole=whole), cell) == evaluate(f"CELL ~ '{pattern}'", cell)


# --- The optimistic checking pass ------------------------------------------------------------

OPTIMISTIC_KINDS = ("invoices", "traffic", "metric_values")
# Cells the bare casts read, though not always as the exact checks do ...
castable_numbers = st.one_of(
    st.integers(-10**13, 10**13).map(str),
    st.decimals(places=3, allow_nan=False, allow_infinity=False, min_value=-10**15, max_value=10**15).map(str),
    st.sampled_from(["NaN", "Infinity", "-Infinity", "1e3", ".5", "5.", "007", "-0", "+5", "-0.00", "12.345",
                     "99999999999999", "123456789012", "-99999999999", "-123456789012", "2147483648", " 7 ", ""]))
castable_dates = st.one_of(st.dates().map(str), st.sampled_from(
    ["0001-01-01", "2024-02-29", "2024-1-5", "today", "20240105", "2024-01-05 BC", "10000-01-01", " 2024-01-05",
     "01/02/2024", "2024-01-05T00:00", ""]))
# ... and cells they cannot read at all (the pass then runs the exact way).
numbers = st.one_of(castable_numbers, st.text(alphabet="0123456789+-.,e ", max_size=8))
dates = st.one_of(castable_dates, near_dates, st.sampled_from(["0000-01-01", "2024-02-30", "abc"]))


def cell_for(column, castable: bool) -> st.SearchStrategy[str]:
    if column.type in ("money", "decimal", "int"):
        return castable_numbers if castable else numbers
    if column.type == "date":
        return castable_dates if castable else dates
    return st.sampled_from([*column.examples, ""])


@st.composite
def staged_files(draw):
    from metrics.imports.kinds import KINDS

    kind = KINDS[draw(st.sampled_from(OPTIMISTIC_KINDS))]
    castable = draw(st.integers(0, 3)) > 0
    rows = draw(st.lists(st.tuples(*(cell_for(column, castable) for column in kind.columns)),
                         min_size=1, max_size=12))
    return kind, rows, Options(decimal_comma=draw(st.integers(0, 4)) == 0)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(staged_file=staged_files())
def test_the_optimistic_checking_pass_gives_what_the_exact_one_gives(in_acme, staged_file):
    """Same typed values and the same problems for every row, whether the bare casts
    were sure, not sure (those rows checked again) or failed (the exact pass run)."""
    from metrics.imports import checking
    from metrics.imports.headers import match_header
    from metrics.imports.sql import quoted
    from metrics.imports.staging import create_staging, stage_rows

    kind, rows, options = staged_file
    match = match_header(kind, kind.column_names)
    names = ", ".join(quoted(column.name) for column in match.columns)
    with connection.cursor() as cursor:
        create_staging(cursor, match)
        stage_rows(cursor, match, iter(enumerate(map(list, rows), start=2)))
        checking.build_typed(cursor, kind, match.columns, options)
        cursor.execute(f"SELECT line, {names}, problems FROM {checking.TYPED} ORDER BY line")
        optimistic = cursor.fetchall()
        cursor.execute(f"DROP TABLE {checking.TYPED}")
        cursor.execute(f"CREATE TEMP TABLE {checking.TYPED} AS "
                       f"{checking._typed_query(kind, match.columns, options)}")
        cursor.execute(f"SELECT line, {names}, problems FROM {checking.TYPED} ORDER BY line")
        assert optimistic == cursor.fetchall()
