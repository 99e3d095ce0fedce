"""A database of its own for each benchmark run, next to the one DATABASE_URL names
(or the embedded server's), so a benchmark never touches development data."""

from __future__ import annotations

import os


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
