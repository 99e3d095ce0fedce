"""The two ways into the staging table agree: a plain CSV file sent to COPY whole
stages exactly the rows the csv module would, and a file that COPY refuses (or that
is not plain) goes through the csv module. Hypothesis writes the files, with odd
cells, blank lines, ragged rows, quotes and CR LF line breaks."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics.imports.headers import match_header
from metrics.imports.kinds import KINDS
from metrics.imports.reading import open_table
from metrics.imports.sql import STAGING, quoted
from metrics.imports.staging import copy_plain_csv, create_staging, stage_rows

INVOICES = KINDS["invoices"]


def staged(cursor, match) -> list[tuple]:
    names = ", ".join(quoted(column.name) for column in match.columns)
    cursor.execute(f"SELECT line, shape, {names} FROM {STAGING} ORDER BY line")
    return cursor.fetchall()


def stage_both_ways(content: bytes):
    """(what COPY staged or None when it was not used or refused, what the csv module
    staged, whether the file was offered as plain and trimmed)."""
    table = open_table(io.BytesIO(content), name="data.csv")
    match = match_header(INVOICES, table.header)
    with connection.cursor() as cursor:
        via_copy = None
        if table.plain is not None:
            count = copy_plain_csv(cursor, match, table.plain, chunk=64)  # many small COPY pieces
            if count is not None:
                via_copy = (count, staged(cursor, match))
        create_staging(cursor, match)
        rows = open_table(io.BytesIO(content), name="data.csv").rows
        via_csv = (stage_rows(cursor, match, rows), staged(cursor, match))
    return via_copy, via_csv, table.plain


# Mostly cells COPY can take, one in about twenty it must not (a quote, a delimiter
# inside making the row ragged, a stray carriage return).
cells = st.tuples(st.integers(0, 20), st.text(alphabet="ab1-.; \t\\\u00a0", max_size=5),
                  st.sampled_from(['"a,b"', '"', ",", "\r"])).map(lambda c: c[2] if c[0] == 0 else c[1])
line_ends = st.sampled_from(["\n", "\r\n"])


@st.composite
def csv_files(draw) -> bytes:
    header = ["invoice_id", "date", "amount", *draw(st.lists(st.sampled_from(["status", "notes"]),
                                                             max_size=1))]
    end = draw(line_ends)
    lines = [",".join(header)]
    for _ in range(draw(st.integers(min_value=0, max_value=8))):
        shape = draw(st.sampled_from(["row"] * 12 + ["short", "long", "blank", "marker"]))
        width = {"short": len(header) - 1, "long": len(header) + 1}.get(shape, len(header))
        if shape == "blank":
            lines.append(draw(st.sampled_from(["", " ", ",,", "\t"])))
        elif shape == "marker":
            lines.append("\\.")
        else:
            # The first cell starts with a letter, as ids do: a line starting with
            # whitespace or a delimiter keeps the file off the COPY path.
            lines.append(",".join(["I" + draw(cells), *(draw(cells) for _ in range(width - 1))]))
    text = end.join(lines) + draw(st.sampled_from(["", end]))
    return text.encode()


@pytest.mark.django_db
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=csv_files())
def test_copying_a_plain_file_whole_stages_what_the_csv_module_stages(in_acme, content):
    via_copy, via_csv, plain = stage_both_ways(content)
    if via_copy is not None:
        assert via_copy == via_csv
    if plain is not None and plain.trimmed:
        assert all(cell == cell.strip(" \t\r\n") for row in via_csv[1] for cell in row[2:])


def test_an_ordinary_export_takes_the_copy_path_and_a_quoted_one_the_csv_module(in_acme):
    plain = b"invoice_id,date,amount,notes\r\nI1,2024-01-05,10.00,x\r\nI2,2024-01-06,-2.5,\r\n"
    via_copy, via_csv, offered = stage_both_ways(plain)
    assert offered.trimmed and via_copy == via_csv == (2, [(2, None, "I1", "2024-01-05", "10.00"),
                                                           (3, None, "I2", "2024-01-06", "-2.5")])
    quoted_cells = b'invoice_id,date,amount\nI1,2024-01-05,"1,000.00"\n'
    assert stage_both_ways(quoted_cells)[2] is None
    spaced = b"invoice_id,date,amount\nI1 ,2024-01-05,10\n"
    assert not stage_both_ways(spaced)[2].trimmed


def test_a_ragged_plain_file_is_refused_by_copy_and_staged_with_its_shape_problem(in_acme):
    via_copy, via_csv, offered = stage_both_ways(b"invoice_id,date,amount\nI1,2024-01-01,5\nI2,2024-01-02,5,x\n")
    assert offered is not None and via_copy is None
    assert via_csv[1][1][1] == "this row has 4 values but the header has 3 columns"
