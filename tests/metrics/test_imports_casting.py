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
