"""Does a big import block its own tenant's readers (issue 16, finding 12)? A tenant's
pages timed while a 1,000,000-row invoices file is imported into its empty tables.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/kpihub_h5 REDIS_URL=redis://127.0.0.1:6379/14 \\
    KPIHUB_DATA_DIR=/tmp/kpihub-h5 .venv/bin/python benchmarks/blocking.py [--rows 1000000] [--port 8085]

A platform as ``make run`` runs it (benchmarks/busy_tenant.py: gunicorn with
production settings and the launcher's Celery workers) over a scratch database; one
tenant signed up. Two clients, each one request at a time with 200 ms between two,
time the tenant's dashboard (``/``) and its data API (``/api/v1/data/invoices/``):
``--quiet`` seconds first, then from handing the file to the import service until
its job has finished. Prints each page's p50/p95/max quiet and during the import, the
slowest request during it, and the import's time (queued to finished, and the task's
own, from the job's timestamps).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import busy_tenant as bench

PAGES = [("dashboard", "/"), ("data API", "/api/v1/data/invoices/")]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--port", type=int, default=8085)
    parser.add_argument("--quiet", type=float, default=20, help="seconds of quiet sampling first")
    args = parser.parse_args()
    admin_url, database = bench.prepare("blocking")
    from scratch_database import drop_database

    try:
        run(args)
    finally:
        drop_database(admin_url, database)


def run(args) -> None:
    print(bench.about(), flush=True)
    tenant = bench.sign_up("bench-a")
    with tempfile.TemporaryDirectory() as directory, bench.Platform(args.port, Path(directory)) as platform:
        path = bench.big_file(Path(directory), args.rows)
        print(f"file: {args.rows:,} invoice rows, {path.stat().st_size / 1e6:.1f} MB; "
              f"workers: {', '.join(name for name, _ in bench.worker_commands())}", flush=True)
        headers = tenant.headers(args.port)
        bench.wait_until_serving(args.port, headers)
        for _, page in PAGES:
            status, _ = bench.get(args.port, page, headers)
            if status != 200:
                raise SystemExit(f"{page}: {status}")
        samplers = [bench.Sampler(args.port, page, headers).start() for _, page in PAGES]
        quiet_from = time.time()
        time.sleep(args.quiet)
        quiet_to = time.time()
        record = bench.start_import(tenant, path)
        job = bench.wait_for_import(tenant, record)
        for sampler in samplers:
            sampler.stop()
        if job["status"] != "succeeded":
            raise SystemExit(f"the import failed: {job['error']}")
        _ = platform
    print(f"import: queued to finished {job['finished'] - quiet_to:.1f} s, "
          f"the task {job['finished'] - job['started']:.1f} s", flush=True)
    for (name, page), sampler in zip(PAGES, samplers):
        quiet = bench.summary(sampler.samples, quiet_from, quiet_to)
        during = bench.summary(sampler.samples, job["started"], job["finished"])
        print(bench.line(f"{name} {page} quiet", quiet))
        print(bench.line(f"{name} {page} during the import", during))
    print(f"load average at the end {bench.loadavg()}")


if __name__ == "__main__":
    main()
