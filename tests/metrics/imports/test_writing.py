"""A large load goes into a fresh copy of the table (no index while it loads) that is
swapped in at the end; afterwards the table has exactly the indexes, constraints,
foreign keys (its own and the other tables' to it) and identity it had, every count is
exact, the ids go on from where they were, and nobody reading the table waited while
the rows were written."""

from __future__ import annotations

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction

from metrics.imports import fresh_table, services, writing
from metrics.imports.kinds import KINDS
from metrics.models import Customer, Expense, Invoice
from tests.metrics.imports.builders import import_records


def catalog(model) -> list[tuple]:
    """Every index and constraint of the model's table, the foreign keys other tables
    have to it, and its identity sequence, by name and definition."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("""SELECT 'index', i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x
                          JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s::regclass
                          UNION ALL
                          SELECT 'constraint', conname, pg_get_constraintdef(oid) FROM pg_constraint
                          WHERE conrelid = %s::regclass
                          UNION ALL
                          SELECT 'referenced by ' || conrelid::regclass::text, conname, pg_get_constraintdef(oid)
                          FROM pg_constraint WHERE confrelid = %s::regclass AND conrelid <> confrelid
                          UNION ALL
                          SELECT 'sequence', pg_get_serial_sequence(%s, 'id'), ''
                          ORDER BY 1, 2""", [table] * 4)
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


def fresh_inserts(statements: list[str]) -> list[str]:
    return [sql for sql in statements if 'INSERT INTO "bulk_load_' in sql and "SELECT *" not in sql]


def dropped(statements: list[str]) -> list[str]:
    return [sql for sql in statements if sql.startswith("DROP INDEX") or " DROP CONSTRAINT " in sql]


def invoices(numbers, amount: str = "5") -> list[dict]:
    return [{"invoice_id": f"I{n}", "customer_id": f"C{n % 3}", "date": "2024-01-05", "amount": amount}
            for n in numbers]


def test_a_bulk_load_into_an_empty_table_swaps_in_a_fresh_one_with_the_same_indexes_and_constraints(
        in_acme, bulk_from_one_row):
    before = catalog(Invoice)
    assert any("invoice_unique_id" in row for row in before)
    statements = []
    record = importing("invoices", invoices(range(5)), statements)
    assert (record.status, record.rows_created) == ("succeeded", 5)
    assert fresh_inserts(statements), "the rows went into the fresh table"
    assert not any("NOT EXISTS" in sql for sql in fresh_inserts(statements)), "into an empty table every row is new"
    assert not dropped(statements[:statements.index(fresh_inserts(statements)[-1])]), \
        "nothing was dropped while the rows were written"
    assert catalog(Invoice) == before
    ids = sorted(Invoice.objects.values_list("id", flat=True))
    assert len(ids) == 5
    later = Invoice.objects.create(invoice_id="by-hand", date="2024-01-06", amount=1)
    assert later.id > ids[-1], "the identity went on from the fresh table's last id"
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.create(invoice_id="I1", date="2024-01-06", amount=1)


def test_a_bulk_load_into_a_small_table_copies_it_and_counts_exactly_and_can_be_undone(in_acme, bulk_from_one_row):
    before = catalog(Invoice)
    first = importing("invoices", invoices(range(5)), [])
    kept = dict(Invoice.objects.values_list("invoice_id", "id"))
    statements = []
    again = importing("invoices", invoices(range(2), amount="6") + invoices(range(2, 5)) + invoices(range(5, 12)),
                      statements)
    assert (again.rows_created, again.rows_updated, again.rows_unchanged) == (7, 2, 3)
    assert fresh_inserts(statements) and all("NOT EXISTS" in sql for sql in fresh_inserts(statements))
    assert catalog(Invoice) == before
    assert {key: kept[key] for key in kept} == {
        key: value for key, value in Invoice.objects.values_list("invoice_id", "id") if key in kept}, \
        "the stored records keep their ids"
    assert set(Invoice.objects.filter(invoice_id__in=["I0", "I1"]).values_list("amount", flat=True)) == {6}
    services.undo_import(record=again)
    assert sorted(Invoice.objects.values_list("invoice_id", "amount")) == sorted(
        (row["invoice_id"], 5) for row in invoices(range(5)))
    assert first.status == "succeeded"


def test_a_bulk_load_of_customers_points_the_other_tables_foreign_keys_at_the_fresh_table(in_acme, bulk_from_one_row):
    before = catalog(Customer)
    assert any(kind.startswith("referenced by") for kind, _, _ in before)
    statements = []
    record = importing("customers", [{"customer_id": f"C{n}", "name": f"N{n}"} for n in range(4)], statements)
    assert (record.status, record.rows_created) == ("succeeded", 4)
    assert fresh_inserts(statements)
    assert catalog(Customer) == before
    invoice = importing("invoices", [{"invoice_id": "X1", "customer_id": "C2", "date": "2024-02-01",
                                      "amount": "3"}], [])
    assert invoice.status == "succeeded" and Invoice.objects.get(invoice_id="X1").customer_id == "C2"
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM metrics_customer WHERE customer_id = 'C2'")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_partial_unique_indexes_come_back_and_still_guard_their_keys(in_acme, bulk_from_one_row):
    before = catalog(Expense)
    assert sum(definition.startswith("CREATE UNIQUE INDEX") and " WHERE " in definition
               for _, _, definition in before) == 2
    row = {"expense_id": "", "date": "2024-01-31", "category": "marketing", "amount": "100",
           "channel": "paid", "description": "Ads"}
    statements = []
    record = importing("expenses", [row, {**row, "expense_id": "E1"}, {**row, "expense_id": "E2"}], statements)
    assert (record.status, record.rows_created) == ("succeeded", 3)
    assert fresh_inserts(statements)
    assert catalog(Expense) == before
    with pytest.raises(IntegrityError), transaction.atomic():
        Expense.objects.create(date="2024-01-31", category="marketing", amount=1, channel="paid",
                               description="Ads")


def test_readers_of_the_tables_never_wait_while_a_bulk_load_writes(in_acme, bulk_from_one_row):
    """Another session reads invoices and customers, with a lock timeout, at the moment
    the rows are written (the import's transaction open): neither waits."""
    settings = connection.settings_dict
    reader = psycopg.connect(host=settings["HOST"] or None, port=settings["PORT"] or None,
                             user=settings["USER"], password=settings["PASSWORD"] or None,
                             dbname=settings["NAME"], autocommit=True)
    reader.execute("SET lock_timeout = '500ms'")
    schema = in_acme.tenant.schema_name
    answers = []

    def read_meanwhile(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if 'INSERT INTO "bulk_load_' in sql or ("INSERT INTO metrics_invoice" in sql and "WITH made" in sql):
            for table in ("metrics_invoice", "metrics_customer"):
                try:
                    answers.append(reader.execute(f'SELECT count(*) FROM "{schema}".{table}').fetchone()[0])
                except psycopg.errors.LockNotAvailable:
                    answers.append("waited")
        return result

    try:
        with connection.execute_wrapper(read_meanwhile):
            record = import_records("invoices", invoices(range(20)))
    finally:
        reader.close()
    assert record.status == "succeeded"
    assert len(answers) == 2 and "waited" not in answers, "the readers read the tables as they were, at once"


def test_every_kinds_table_can_be_swapped(in_acme):
    """A trigger, a policy, a view or a grant on a kind's table would quietly send its
    large loads the slow way (into the table, indexes and all): say so here."""
    with connection.cursor() as cursor:
        assert {name: fresh_table.swappable(cursor, kind.table) for name, kind in KINDS.items()} == {
            name: True for name in KINDS}
