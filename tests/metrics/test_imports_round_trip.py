"""Property: any valid file of invoices imports exactly, and exports back to the same
rows (the Data page's CSV is what was given)."""

import datetime
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics.data.browse import as_text, records
from metrics.imports.kinds import KINDS
from metrics.models import Customer, Invoice
from tests.metrics.builders import import_records

text_ids = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789-_ ", min_size=1, max_size=30).map(str.strip).filter(bool)
invoice = st.fixed_dictionaries({
    "invoice_id": text_ids,
    "customer_id": st.one_of(st.just(""), text_ids),
    "date": st.dates(min_value=datetime.date(1990, 1, 1), max_value=datetime.date(2060, 12, 31)).map(str),
    "amount": st.decimals(min_value=Decimal("-99999999"), max_value=Decimal("99999999"), places=2).map(str),
    "currency": st.just(""),
    "status": st.sampled_from(["paid", "open", "void"]),
})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(invoice, min_size=1, max_size=20, unique_by=lambda row: row["invoice_id"]))
def test_any_valid_invoices_file_round_trips_exactly(in_acme, rows):
    Invoice.objects.all().delete()
    Customer.objects.all().delete()
    record = import_records("invoices", rows)
    assert record.status == "succeeded", record.errors
    assert record.rows_created == len(rows)
    stored = [as_text(KINDS["invoices"], row) for row in records(KINDS["invoices"])]
    expected = [{**row, "amount": str(Decimal(row["amount"]).quantize(Decimal("0.01")))} for row in rows]
    assert sorted(stored, key=lambda r: r["invoice_id"]) == sorted(expected, key=lambda r: r["invoice_id"])
    again = import_records("invoices", rows)
    assert (again.rows_created, again.rows_updated, again.rows_unchanged) == (0, 0, len(rows))
