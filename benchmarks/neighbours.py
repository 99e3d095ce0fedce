"""Noisy neighbours (issue 16, item 15): does one company's 1,000,000-row import and
the recompute after it slow another company's pages and small imports?

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/kpihub_h5 REDIS_URL=redis://127.0.0.1:6379/14 \\
    KPIHUB_DATA_DIR=/tmp/kpihub-h5 .venv/bin/python benchmarks/neighbours.py [--rows 1000000] [--port 8085]

A platform as ``make run`` runs it (benchmarks/busy_tenant.py: gunicorn with
production settings, and the Celery workers the launcher starts) over a scratch
database. Company B has a small business (``--b-rows`` invoices imported, its KPIs
computed); company A starts empty. One client reads B's dashboard (``/``) request
after request, 200 ms apart, ``--quiet`` seconds with nothing else running, then
while A's big invoices file is imported and A's KPIs recomputed. Meanwhile B imports
a small file (``--small-rows`` invoices, new ids each time) again and again, one at a
time, a second apart; each one's latency is from handing the file to the import
service until its job has finished (queueing included). Prints B's dashboard p50/p95
quiet and busy and their ratio (issue 16: p95 at most 2x quiet), and B's small
imports' latencies quiet and busy.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path

import busy_tenant as bench


class SmallImports:
    """B's small imports, one after another, until stopped: (queued, latency s, status)."""

    def __init__(self, tenant: bench.Tenant, directory: Path, rows: int):
        self.tenant, self.directory, self.rows = tenant, directory, rows
        self.results: list[tuple[float, float, str]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._number = 0

    def start(self):
        self._thread.start()
        return self

    def _run(self):
        from django.db import connection

        while not self._stop.is_set():
            self._number += 1
            path = self.directory / f"small-{self._number}.csv"
            with path.open("w") as out:
                out.write("invoice_id,customer_id,date,amount,status\n")
                for n in range(self.rows):
                    out.write(f"S{self._number}-{n},C{n % 50:05d},2024-{n % 12 + 1:02d}-15,{n % 900 + 10}.00,paid\n")
            queued = time.time()
            record = bench.start_import(self.tenant, path)
            job = bench.wait_for_import(self.tenant, record)
            self.results.append((queued, job["finished"] - queued, job["status"]))
            self._stop.wait(1.0)
        connection.close()

    def stop(self):
        self._stop.set()
        self._thread.join()
        return self.results


def renumbered(source: Path, path: Path, prefix: str) -> Path:
    """The same invoices under other ids (a second file of the same size)."""
    with source.open() as rows, path.open("w") as out:
        out.write(next(rows))
        for row in rows:
            out.write(prefix + row[4:])
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000, help="company A's big file")
    parser.add_argument("--big-files", type=int, default=1,
                        help="A's big files, uploaded one right after the other (other invoice ids each)")
    parser.add_argument("--b-rows", type=int, default=20_000, help="company B's business, imported first")
    parser.add_argument("--small-rows", type=int, default=1_000, help="each of B's small imports")
    parser.add_argument("--port", type=int, default=8085)
    parser.add_argument("--quiet", type=float, default=30, help="seconds of quiet sampling first")
    args = parser.parse_args()
    admin_url, database = bench.prepare("neighbours")
    from scratch_database import drop_database

    try:
        run(args)
    finally:
        drop_database(admin_url, database)


def run(args) -> None:
    print(bench.about(), flush=True)
    a, b = bench.sign_up("bench-a"), bench.sign_up("bench-b")
    with tempfile.TemporaryDirectory() as directory, bench.Platform(args.port, Path(directory)):
        directory = Path(directory)
        big = bench.big_file(directory, args.rows)
        bigs = [big] + [renumbered(big, directory / f"invoices-{n}.csv", f"INV{n}-") for n in range(2, args.big_files + 1)]
        print(f"A's file{'s' if len(bigs) > 1 else ''}: {len(bigs)} x {args.rows:,} invoice rows, "
              f"{big.stat().st_size / 1e6:.1f} MB; "
              f"workers: {', '.join(name for name, _ in bench.worker_commands())}", flush=True)
        headers = b.headers(args.port)
        bench.wait_until_serving(args.port, headers)
        b_file = directory / "b.csv"
        bench.write_invoices(b_file, args.b_rows, seed=7)
        first = bench.start_import(b, b_file)
        finished = bench.wait_for_import(b, first)["finished"]
        bench.wait_for_recompute(b, finished)
        status, _ = bench.get(args.port, "/", headers)
        if status != 200:
            raise SystemExit(f"B's dashboard: {status}")

        dashboard = bench.Sampler(args.port, "/", headers).start()
        quiet_from = time.time()
        quiet_imports = SmallImports(b, directory, args.small_rows).start()
        time.sleep(args.quiet)
        quiet_small = quiet_imports.stop()
        quiet_to = time.time()
        time.sleep(3)   # B's last small import's recompute

        busy_from = time.time()
        records = [bench.start_import(a, path) for path in bigs]
        busy_imports = SmallImports(b, directory, args.small_rows).start()
        jobs = [bench.wait_for_import(a, record) for record in records]
        job = {**jobs[0], "finished": max(j["finished"] for j in jobs),
               "status": "succeeded" if all(j["status"] == "succeeded" for j in jobs) else "failed",
               "error": "; ".join(j["error"] for j in jobs if j["error"])}
        recomputed = bench.wait_for_recompute(a, job["finished"])
        busy_to = time.time()
        busy_small = busy_imports.stop()
        dashboard.stop()
    if job["status"] != "succeeded":
        raise SystemExit(f"A's import failed: {job['error']}")
    quiet = bench.summary(dashboard.samples, quiet_from, quiet_to)
    busy = bench.summary(dashboard.samples, busy_from, busy_to)
    tasks = ", ".join(f"{one['finished'] - one['started']:.1f}" for one in jobs)
    print(f"A: import{'s' if len(jobs) > 1 else ''} queued to finished {job['finished'] - busy_from:.1f} s (the "
          f"task{'s' if len(jobs) > 1 else ''} {tasks} s), "
          f"then the recompute, done {recomputed - job['finished']:.1f} s later; busy phase {busy_to - busy_from:.1f} s")
    print(bench.line("B's dashboard quiet", quiet))
    print(bench.line("B's dashboard during A's import and recompute", busy))
    if quiet.get("n") and busy.get("n"):
        ratio = busy["p95"] / quiet["p95"]
        print(f"p95 busy / quiet = {ratio:.2f} (at most 2): {'MET' if ratio <= 2 else 'NOT MET'}")
    for name, results in (("quiet", quiet_small), ("during A's import and recompute", busy_small)):
        latencies = [seconds for _, seconds, status in results if status == "succeeded"]
        failed = sum(status != "succeeded" for _, _, status in results)
        if latencies:
            print(f"B's small imports ({args.small_rows:,} rows) {name}: {len(latencies)} done, median "
                  f"{statistics.median(latencies):.2f} s, max {max(latencies):.2f} s, failed {failed}")
    print(f"load average at the end {bench.loadavg()}")


if __name__ == "__main__":
    main()
