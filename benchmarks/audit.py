"""What the audit log costs a 1,000,000-row import (issue 16): the import as shipped
(triggers on the import's own record and job only: an import is one audited event with
its counts), with the audit's triggers disabled, and with what auditing every row
would take: django-pghistory's insert/update/delete trackers on the invoices and
customers tables, row-level and statement-level (transition tables). A table with a
trigger is loaded in place rather than into a fresh copy swapped in
(metrics/imports/fresh_table.py), so "in place" (a trigger that does nothing) shows
that part of the cost alone.

    .venv/bin/python benchmarks/audit.py [--rows 1000000] [--runs 3]

Each configuration imports the same invoices CSV (benchmarks/imports.py's file) into
emptied tables, end to end (stored upload to a succeeded job, the Celery task run in
this process), alternately, ``--runs`` times; medians. The row-level trackers are the
ones pghistory itself generates for the models (``create_event_model``), installed by
pgtrigger, with the same JSON context as the audit's own event tables. Uses
DATABASE_URL / REDIS_URL when set, else the embedded servers, in a database of its own
(``<name>_audit_bench``) dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpihub.settings.development")

from scratch_database import bench_database, drop_database  # noqa: E402

CONFIGURATIONS = ("shipped", "no audit", "in place (a no-op trigger on data)", "row-level on data",
                  "statement-level on data")
NO_OP = "bench_no_op"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", nargs="*", choices=CONFIGURATIONS, help="run these configurations only")
    args = parser.parse_args()
    admin_url, bench = bench_database("audit")
    try:
        import django

        django.setup()
        report(run(args), args)
    finally:
        drop_database(admin_url, bench)


def run(args) -> dict:
    import pghistory
    import pgtrigger
    from django.core.management import call_command
    from django.db import connection

    from imports import empty_data_tables, end_to_end, write_invoices
    from metrics.models import Customer, Invoice
    from tenants.signup import sign_up

    call_command("migrate_schemas", "--shared", verbosity=0)
    call_command("setup_platform", verbosity=0)
    tenant = sign_up(company_name="Bench Audit", slug="bench-audit", email="o@bench.example",
                     password="correct-horse-battery-staple").tenant
    connection.set_tenant(tenant)

    def trackers(level):
        return [pghistory.InsertEvent(f"bench_{level}.insert"), pghistory.UpdateEvent(f"bench_{level}.update"),
                pghistory.DeleteEvent(f"bench_{level}.delete")]

    data_events = {}
    for level, pg_level in (("row", pgtrigger.Row), ("statement", pgtrigger.Statement)):
        for model in (Invoice, Customer):
            event_model = pghistory.create_event_model(
                model, *trackers(level), app_label="audit", abstract=False, level=pg_level,
                model_name=f"Bench{model.__name__}{level.title()}Event",
                obj_field=pghistory.ObjForeignKey(related_name=f"bench_{level}_events"),
                context_field=pghistory.ContextJSONField())
            with connection.schema_editor() as editor:
                editor.create_model(event_model)
            data_events.setdefault(level, []).append(event_model)

    def data_triggers(level):
        return [(model, trigger) for model, trigger in pgtrigger.registered()
                if model in (Invoice, Customer) and trigger.name.startswith(f"bench_{level}_")]

    def no_op(installed: bool):
        with connection.cursor() as cursor:
            if installed:
                cursor.execute(f"CREATE OR REPLACE FUNCTION {NO_OP}() RETURNS trigger AS $$ BEGIN RETURN NULL; END $$ "
                               "LANGUAGE plpgsql")
            for model in (Invoice, Customer):
                cursor.execute(f"DROP TRIGGER IF EXISTS {NO_OP} ON {model._meta.db_table}")
                if installed:
                    cursor.execute(f"CREATE TRIGGER {NO_OP} AFTER INSERT OR UPDATE OR DELETE ON "
                                   f"{model._meta.db_table} FOR EACH ROW EXECUTE FUNCTION {NO_OP}()")

    def audit_tables(enabled: bool):
        with connection.cursor() as cursor:
            for table in ("metrics_dataimport", "jobs_job"):
                cursor.execute(f"ALTER TABLE {table} {'ENABLE' if enabled else 'DISABLE'} TRIGGER USER")

    runs = {name: [] for name in (args.only or CONFIGURATIONS)}
    with tempfile.TemporaryDirectory() as directory:
        big = Path(directory) / "invoices.csv"
        write_invoices(big, args.rows)
        for run_number in range(args.runs):
            for name in runs:
                connection.set_tenant(tenant)
                empty_data_tables()
                level = {"row-level on data": "row", "statement-level on data": "statement"}.get(name)
                installed = data_triggers(level) if level else []
                for model, trigger in installed:
                    trigger.install(model)
                if name == "no audit":
                    audit_tables(False)
                no_op(name.startswith("in place"))
                try:
                    result = end_to_end(big)
                finally:
                    connection.set_tenant(tenant)
                    for model, trigger in installed:
                        trigger.uninstall(model)
                    audit_tables(True)
                    no_op(False)
                result["data_events"] = sum(model.objects.count() for model in data_events.get(level, []))
                for model in data_events.get(level, []):
                    with connection.cursor() as cursor:
                        cursor.execute(f"TRUNCATE {model._meta.db_table}")
                runs[name].append(result)
                print(f"run {run_number + 1}: {name}: {result['seconds']:.2f} s, "
                      f"{result['rows_per_s']:,.0f} rows/s, {result['data_events']:,} row events", flush=True)
    return runs


def report(runs: dict, args) -> None:
    base = statistics.median(r["seconds"] for r in runs["no audit"])
    print(f"\n{args.rows:,}-row invoices import, first into emptied tables, {args.runs} runs each (medians)")
    print("| configuration | seconds (median) | rows/s | vs no audit | row events written | the runs, seconds |")
    print("|---|---|---|---|---|---|")
    for name, results in runs.items():
        seconds = statistics.median(r["seconds"] for r in results)
        each = ", ".join(format(r["seconds"], ".2f") for r in results)
        print(f"| {name} | {seconds:.2f} | {args.rows / seconds:,.0f} | {seconds / base:.2f}x | "
              f"{results[-1]['data_events']:,} | {each} |")


if __name__ == "__main__":
    main()
