"""A large load drops indexes (into an empty table: unique ones too) and foreign keys
while it writes; afterwards the table has exactly what it had, and every count is exact."""

from __future__ import annotations

import pytest
from django.db import connection

from metrics.imports import writing
from metrics.models import Expense, Invoice
from tests.metrics.imports.builders import import_records


def catalog(model) -> list[tuple]:
    """Every index and constraint of the model's table, by name and definition."""
    with connection.cursor() as cursor:
        cursor.execute("""SELECT 'index', i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x
                          JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s::regclass
                          UNION ALL
                          SELECT 'constraint', conname, pg_get_constraintdef(oid) FROM pg_constraint
                          WHERE conrelid = %s::regclass ORDER BY 1, 2""", [model._meta.db_table] * 2)
        return cursor.fetchall()


@pytest.fixture
def bulk_from_one_row(monkeypatch):
    monkeypatch.setattr(writing, "BULK_MIN_ROWS", 1)


def importing(kind: str, rows: list[dict], statements: list[str]):
    """Import, noting every statement run."""
    def note(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(note):
        return import_records(kind, rows)


def dropped(statements: list[str]) -> set[str]:
    return {sql.split()[-1].strip('"') for sql in statements
            if sql.startswith("DROP INDEX") or " DROP CONSTRAINT " in sql}


def inserts(statements: list[str]) -> list[str]:
    return [sql for sql in statements if "INSERT INTO metrics_invoice" in sql]


def test_a_bulk_load_into_an_empty_table_puts_back_every_index_and_constraint(in_acme, bulk_from_one_row):
    before = catalog(Invoice)
    assert any("invoice_unique_id" in row for row in before)
    rows = [{"invoice_id": f"I{n}", "customer_id": f"C{n % 3}", "date": "2024-01-05", "amount": "5"}
            for n in range(5)]
    first, second = [], []
    record = importing("invoices", rows, first)
    assert (record.status, record.rows_created) == ("succeeded", 5)
    assert {"invoice_unique_id", "metrics_inv_date_4d281a_idx"} <= dropped(first)
    assert not any("NOT EXISTS" in sql for sql in inserts(first)), "into an empty table every row is new"
    assert catalog(Invoice) == before
    again = importing("invoices", [{**row, "amount": "6"} for row in rows[:2]] + rows[2:]
                      + [{**rows[0], "invoice_id": "I9"}], second)
    assert (again.rows_created, again.rows_updated, again.rows_unchanged) == (1, 2, 3)
    assert "invoice_unique_id" not in dropped(second), "the table is not empty any more"
    assert all("NOT EXISTS" in sql for sql in inserts(second))
    assert catalog(Invoice) == before


def test_partial_unique_indexes_come_back_and_still_guard_their_keys(in_acme, bulk_from_one_row):
    before = catalog(Expense)
    assert sum(definition.startswith("CREATE UNIQUE INDEX") and " WHERE " in definition
               for _, _, definition in before) == 2
    row = {"expense_id": "", "date": "2024-01-31", "category": "marketing", "amount": "100",
           "channel": "paid", "description": "Ads"}
    statements = []
    record = importing("expenses", [row, {**row, "expense_id": "E1"}, {**row, "expense_id": "E2"}], statements)
    assert (record.status, record.rows_created) == ("succeeded", 3)
    assert sum("unique" in name for name in dropped(statements)) == 2
    assert catalog(Expense) == before
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Expense.objects.create(date="2024-01-31", category="marketing", amount=1, channel="paid",
                               description="Ads")
