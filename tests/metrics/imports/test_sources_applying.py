"""Applying a source keeps the reader's account of the file: the header's line, the
preamble, total and label lines skipped, said once in the import's notes; lines a
source passes over to reach its own header are said the same way."""

from __future__ import annotations

import io

import pytest

from metrics.imports import running, services, sources
from metrics.imports.reading import open_table
from tests.metrics.imports import vendor_files
from tests.metrics.imports.builders import upload

GA4_PREAMBLE_NOTE = ("Line 11 was read as the header; 9 lines before it (a preamble or title) were skipped: "
                     "lines 1, 2, 3, 4, 5, 6, 7, 8 and 9.")


def test_the_applied_table_keeps_the_header_line_and_what_the_reader_skipped():
    table = open_table(io.BytesIO(vendor_files.ga4_traffic_acquisition()), name="traffic.csv")
    applied, notes = sources.apply("ga4_traffic_acquisition", table)
    list(applied.rows)
    assert applied.header_line == 11
    assert applied.notes == [GA4_PREAMBLE_NOTE]
    assert GA4_PREAMBLE_NOTE not in notes   # said once: by the table, as for any file


@pytest.mark.usefixtures("in_acme")
def test_lines_a_named_source_passes_over_are_reported_with_the_header_line_found():
    # "Exported by,Ann Example" names two columns, so the reader takes it for the
    # header; the Zendesk source finds its own header on line 3.
    content = b"Exported by,Ann Example\nView,All tickets\n" + vendor_files.zendesk_tickets()
    record = services.start_import(upload=upload(content, "tickets.csv"), source="zendesk_tickets")
    running.run_import(import_id=str(record.pk))
    record.refresh_from_db()
    assert record.status == "succeeded" and record.rows_created == 3, record.errors
    assert ("Line 3 was read as the header; 2 lines before it (a preamble or title) were skipped: "
            "lines 1 and 2.") in record.notes
