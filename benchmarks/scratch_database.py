"""A database of its own for each benchmark run, next to the one DATABASE_URL names
(or the embedded server's), so a benchmark never touches development data."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence


def bench_database(suffix: str) -> tuple[str, str]:
    """Create ``<name>_<suffix>_bench`` afresh and point DATABASE_URL at it. Returns
    (the original URL, the scratch database's name) for ``drop_database``."""
    from kpihub.dev import embedded

    embedded.ensure_service_urls()
    url = os.environ["DATABASE_URL"]
    base, _, name = url.rpartition("/")
    bench = f"{name.split('?')[0]}_{suffix}_bench"
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {bench} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {bench}")
    os.environ["DATABASE_URL"] = f"{base}/{bench}"
    return url, bench


def drop_database(url: str, bench: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {bench} WITH (FORCE)")


def ensure_database() -> None:
    """Create the database DATABASE_URL names when it does not exist yet (a benchmark
    that reuses its prepared data between runs)."""
    import psycopg

    from kpihub.dev import embedded

    embedded.ensure_service_urls()
    base, _, name = os.environ["DATABASE_URL"].rpartition("/")
    name = name.split("?")[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def data_set_benchmark(suffix: str, run: Callable[..., bool], *, runs: int,
                       switches: Sequence[tuple[str, str]] = ()) -> None:
    """The command line of the benchmarks on the KPI data set (kpis, cohorts, segments):
    the data set's shape, ``--runs``, ``--keep`` and each of ``switches`` (flag, help).
    In a scratch database (``bench_database(suffix)``, dropped at the end unless
    ``--keep``), once Django is set up, a company signed up with the data set generated
    and loaded (benchmarks/kpi_reference/dataset.py), then ``run(args, shape, tables)``
    with the connection on it. Exits 1 when ``run`` reports a disagreement."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--subscriptions", type=int, default=100_000)
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--runs", type=int, default=runs)
    for flag, help_text in switches:
        parser.add_argument(flag, action="store_true", help=help_text)
    parser.add_argument("--keep", action="store_true", help="keep the database (to study plans)")
    args = parser.parse_args()
    admin_url, bench = bench_database(suffix)
    try:
        import django

        django.setup()
        from benchmarks.kpi_reference import dataset

        shape = dataset.Shape(customers=args.customers, subscriptions=args.subscriptions,
                              invoices=args.invoices, months=args.months)
        tables, generated, loaded = dataset.into_new_company(shape)
        print(f"dataset: {dataset.sizes(tables)} (generated in {generated:.1f} s, "
              f"loaded with COPY and ANALYZE in {loaded:.1f} s)")
        ok = run(args, shape, tables)
    finally:
        if not args.keep:
            drop_database(admin_url, bench)
    sys.exit(0 if ok else 1)
