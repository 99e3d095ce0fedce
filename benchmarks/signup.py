"""Sign-up latency: the whole sign-up (tenant row, schema, domain, owner, token)
by cloning the template schema, against creating the schema by running every
tenant migration (django-tenants' default).

    .venv/bin/python benchmarks/signup.py [--runs 20]

Uses DATABASE_URL / REDIS_URL when set, else the embedded servers, in a database of
its own (``<name>_signup_bench``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpihub.settings.development")

from scratch_database import bench_database  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    bench_database("signup")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate_schemas", "--shared", verbosity=0)
    call_command("setup_platform", verbosity=0)

    from django.db import connection, transaction
    from django_tenants.clone import CloneSchema

    from tenants.models import Tenant
    from tenants.schema_script import current_script, install_schema
    from tenants.signup import sign_up

    signups = timed(args.runs, lambda i: sign_up(
        company_name=f"Bench {i}", slug=f"bench-{i}", email=f"o{i}@bench.example",
        password="correct-horse-battery-staple"))

    script = current_script()

    def replay(i):
        with transaction.atomic():
            install_schema(f"t_replay_{i}", script)

    def clone(i):
        CloneSchema().clone_schema(settings.TENANT_BASE_SCHEMA, f"t_clone_{i}", "DATA")

    def migrate(i):
        settings.TENANT_CREATION_FAKES_MIGRATIONS = False
        Tenant(schema_name=f"t_migr_{i}", slug=f"migr-{i}", name="m").save(verbosity=0)

    schema_runs = max(5, args.runs // 2)
    replayed = timed(schema_runs, replay)
    cloned = timed(schema_runs, clone)
    migrated = timed(schema_runs, migrate)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = %s",
                       [settings.TENANT_BASE_SCHEMA])
        tables = cursor.fetchone()[0]

    print(f"whole sign-up (schema replay + domain + owner + token): median "
          f"{ms(statistics.median(signups))}, p95 {ms(percentile(signups, 0.95))} "
          f"over {len(signups)} sign-ups")
    print(f"tenant schema only ({tables} tables), median of {schema_runs}:")
    print(f"  replay recorded script  : {ms(statistics.median(replayed))}")
    print(f"  django-tenants clone    : {ms(statistics.median(cloned))}")
    print(f"  run every migration     : {ms(statistics.median(migrated))}")


def timed(runs: int, action) -> list[float]:
    durations = []
    for i in range(runs):
        started = time.perf_counter()
        action(i)
        durations.append(time.perf_counter() - started)
    return durations


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


if __name__ == "__main__":
    main()
