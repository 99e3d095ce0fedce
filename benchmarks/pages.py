"""Page latency under load (issue 5): the dashboard, a KPI page and a chart endpoint,
each beside a trivial Django view on the same server.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/kpihub_pages \\
    REDIS_URL=redis://127.0.0.1:6379/9 KPIHUB_DATA_DIR=/tmp/kpihub-pages \\
        .venv/bin/python benchmarks/pages.py [--port 8311 --connections 20 --duration 20]

Needs ``wrk`` (``apt-get install -y wrk``); it installs nothing itself.

1. Prepares the database the way ``make run`` does (``kpihub.dev.launcher.prepare``:
   migrations, public site, tenant template, static files, and the ``demo`` tenant with
   two years of sample data and its computed KPIs). The database is created when it
   does not exist; one that has them already is reused as it is.
2. Logs the demo owner in (a session row made in Django, the same as the login form
   makes) and counts each URL's SQL queries once, in process, with Django's test client.
3. Starts gunicorn as the launcher does (``kpihub.wsgi``, the same sync workers)
   with production settings (DEBUG off; benchmarks/pages_settings.py
   adds the trivial view ``/bench/trivial/`` and keeps static files in the data dir).
   No Celery worker or beat: none of the pages needs them.
4. For each URL: a warm-up, then ``wrk`` with 20 connections for ``--duration``
   seconds (benchmarks/pages.lua counts every status and prints the percentiles),
   sending the session cookie, ``Host: demo.<domain>:<port>`` and
   ``X-Forwarded-Proto: https`` (the TLS proxy production sits behind).
5. Prints the machine, the code measured (commit, uncommitted changes), a Markdown
   table (requests/s, p50/p95/p99, failures, queries, CPU milliseconds per request in
   the gunicorn workers and in their PostgreSQL backends, and the cores other
   processes took meanwhile: the machine is shared) and whether the dashboard's p95 is
   under the target; stops gunicorn. wrk's keep-alive connections stay with the worker
   that accepted them, often unevenly (e.g. 18/2): the split is printed per URL;
   ``--close`` makes a connection per request instead, as nginx proxies by default.
   ``--think-ms N`` makes each client wait about N ms before each request (users
   reading pages) instead of keeping a request in flight all the time.

Exits 1 when any request failed (connection errors, timeouts, or any status but 200,
so a redirect to the login page counts as a failure), 2 when it could not run.
"""

from __future__ import annotations

import argparse
import http.client
from importlib import import_module
import json
import os
import platform
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SETTINGS = "benchmarks.pages_settings"
LUA = Path(__file__).resolve().parent / "pages.lua"
TARGET_P95_MS = 150.0

# (name, path, a string the 200 response must contain: the page really rendered)
PAGES = [
    ("trivial view", "/bench/trivial/", "ok"),
    ("dashboard", "/", 'data-kpi="mrr"'),
    ("KPI page", "/kpis/customer_churn_rate/", "customer_churn_rate"),
    ("chart (JSON)", "/charts/mrr/", '"datasets"'),
]


def machine() -> dict[str, str]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {"cores": str(os.cpu_count()), "cpu": model, "memory": memory,
            "python": platform.python_version(), "wrk": wrk_version()}


def wrk_version() -> str:
    result = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    return (result.stdout + result.stderr).split("\n")[0].split(" [")[0].strip()


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: set[int]) -> dict[int, float]:
    """User + system CPU seconds each live process has used so far."""
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            found[pid] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime
        except (OSError, IndexError, ValueError):
            pass
    return found


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds used between two readings, by processes alive at the second one
    (one that started meanwhile counts whole; one that ended is lost, never negative)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def children_of(parent: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == parent:
                    found.add(int(entry.name))
            except (OSError, IndexError, ValueError):
                pass
    return found


def machine_busy_seconds() -> tuple[float, float]:
    """(busy, elapsed) CPU seconds over all cores since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values[:8]) - idle) / CLOCK_TICKS, sum(values[:8]) / CLOCK_TICKS


def database_backends() -> set[int]:
    """The PostgreSQL backends serving this database (the server's connections)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                       "AND pid <> pg_backend_pid()")
        pids = {row[0] for row in cursor.fetchall()}
    connection.close()
    return pids


class CpuMeter:
    """Where the machine's CPU went during one wrk run: the gunicorn workers, their
    PostgreSQL backends, wrk itself, and everything else (other people's work)."""

    def __init__(self, arbiter: int):
        import resource

        self.resource = resource
        self.workers = children_of(arbiter) | {arbiter}
        self.backends = database_backends()
        self.started = (cpu_seconds(self.workers), cpu_seconds(self.backends), self.wrk_seconds(),
                        *machine_busy_seconds())

    def wrk_seconds(self) -> float:
        usage = self.resource.getrusage(self.resource.RUSAGE_CHILDREN)  # reaped: the wrk runs
        return usage.ru_utime + usage.ru_stime

    def stop(self) -> dict[str, float]:
        backends = self.backends | database_backends()  # connections opened meanwhile too
        server = cpu_used(self.started[0], cpu_seconds(self.workers))
        # Django closes a connection after CONN_MAX_AGE (60 s), so a backend can end
        # during the run and take its last seconds with it: a lower bound, then.
        database = cpu_used(self.started[1], cpu_seconds(backends))
        wrk_cpu = self.wrk_seconds() - self.started[2]
        busy, total = machine_busy_seconds()
        busy -= self.started[3]
        total -= self.started[4]
        cores = os.cpu_count() or 1
        elapsed = total / cores
        return {"server_s": server, "database_s": database, "wrk_s": wrk_cpu,
                "other_s": max(0.0, busy - server - database - wrk_cpu),
                "idle_s": max(0.0, total - busy), "elapsed_s": elapsed}


def connections_per_worker(workers: set[int], port: int) -> list[int]:
    """Established client connections each gunicorn worker holds (from /proc/net/tcp):
    wrk's keep-alive connections stay with the worker that accepted them."""
    established = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":
                established.add(fields[9])  # the socket's inode
    counts = []
    for pid in sorted(workers):
        held = 0
        try:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                try:
                    link = os.readlink(fd)
                except OSError:
                    continue
                if link.startswith("socket:[") and link[8:-1] in established:
                    held += 1
        except OSError:
            pass
        counts.append(held)
    return sorted(counts, reverse=True)


def git_state() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout

    changed = [line[3:] for line in git("status", "--porcelain", "--untracked-files=no").splitlines()]
    head = git("log", "-1", "--format=%h %s").strip()[:90]
    return f"{head}" + (f" + uncommitted changes to {', '.join(changed)}" if changed else " (clean)")


def prepare() -> list[str]:
    """What ``make run`` does before starting the processes; idempotent."""
    from kpihub.dev import launcher

    os.chdir(ROOT)
    return [line for line in launcher.prepare() if not line.startswith("Platform admin")]


def demo_session() -> tuple[str, dict[str, int]]:
    """A logged-in session of the demo owner, and the sizes of the demo's data."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.db import connection
    from django_tenants.utils import tenant_context

    from accounts.backends import MEMBER_BACKEND
    from metrics.models import Customer, Invoice, KpiValue, Subscription
    from tenants.demo import DEMO_EMAIL
    from tenants.models import Tenant

    SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
    connection.set_schema_to_public()
    tenant = Tenant.objects.get(slug="demo")
    with tenant_context(tenant):
        user = get_user_model().objects.get(username=DEMO_EMAIL)
        session = SessionStore()
        session[SESSION_KEY] = user._meta.pk.value_to_string(user)
        session[BACKEND_SESSION_KEY] = MEMBER_BACKEND
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        sizes = {model._meta.verbose_name_plural: model.objects.count()
                 for model in (Customer, Subscription, Invoice, KpiValue)}
    return session.session_key, sizes


def count_queries(session_key: str, host: str, runs: int = 5) -> dict[str, dict]:
    """Per URL: the SQL queries of one request (min-max over ``runs``) and the median
    in-process time, through the whole middleware stack, with Django's test client."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=host, HTTP_X_FORWARDED_PROTO="https")
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    found = {}
    for name, path, _ in PAGES:
        counts, timings = [], []
        client.get(path)  # warm: templates, URL resolvers, first-use imports
        for _ in range(runs):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(path)
                timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{path}: {response.status_code} in process; expected 200")
            counts.append(len(queries.captured_queries))
        found[path] = {"queries": (min(counts), max(counts)),
                       "in_process_ms": statistics.median(timings)}
    connection.close()
    return found


def get(port: int, path: str, headers: dict[str, str]) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def start_gunicorn(port: int, workers: int, threads: int, log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "kpihub.wsgi", "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers), "--threads", str(threads),
               "--access-logfile", str(log), "--error-logfile", str(log)]
    return subprocess.Popen(command, cwd=ROOT, start_new_session=True,
                            env={**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS})


def stop_gunicorn(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # the arbiter stops its workers
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_serving(process: subprocess.Popen, port: int, headers: dict[str, str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}; see its log")
        try:
            status, _ = get(port, PAGES[0][1], headers)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("gunicorn did not answer within 60 s")


def wrk(port: int, path: str, headers: dict[str, str], connections: int, threads: int,
        seconds: int, workers: set[int] | None = None, think_ms: int = 0) -> dict:
    """One wrk run; with ``workers``, also how its connections spread over them."""
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s",
               "--timeout", "10s", "-s", str(LUA)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(f"http://127.0.0.1:{port}{path}")
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PAGES_THINK_MS": str(think_ms)})
    spread = None
    if workers:
        time.sleep(min(2.0, seconds / 4))
        spread = connections_per_worker(workers, port)
    stdout, stderr = process.communicate()
    line = next((line for line in stdout.splitlines() if line.startswith("PAGES_JSON ")), None)
    if process.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed ({process.returncode}):\n{stdout}\n{stderr}")
    figures = json.loads(line.removeprefix("PAGES_JSON "))
    figures["spread"] = spread
    return figures


def cpu_line(figures: dict) -> str:
    cpu = figures["cpu"]
    elapsed = cpu["elapsed_s"] or 1
    spread = "" if figures.get("spread") is None else (
        "connections per worker " + "/".join(map(str, figures["spread"])) + "; ")
    return (spread + "cores busy: " + ", ".join(f"{what} {cpu[f'{what}_s'] / elapsed:.2f}"
                                       for what in ("server", "database", "wrk", "other"))
            + f", idle {cpu['idle_s'] / elapsed:.2f}")


def cpu_ms_per_request(figures: dict, what: str) -> float:
    return figures["cpu"][f"{what}_s"] * 1000 / max(1, figures["requests"])


def failures(figures: dict) -> int:
    errors = figures["errors"]
    socket_errors = errors["connect"] + errors["read"] + errors["write"] + errors["timeout"]
    not_ok = sum(n for status, n in figures["statuses"].items() if status != "200")
    return socket_errors + not_ok


def main() -> int:
    from kpihub.dev.launcher import web_workers

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8311")))
    parser.add_argument("--connections", type=int, default=20, help="concurrent clients")
    parser.add_argument("--duration", type=int, default=20, help="measured seconds per URL")
    parser.add_argument("--warmup", type=int, default=5, help="unmeasured seconds per URL first")
    parser.add_argument("--wrk-threads", type=int, default=1,
                        help="wrk's threads (1 is plenty here and leaves the cores to the server)")
    parser.add_argument("--think-ms", type=int, default=0,
                        help="each client waits about this long before each request (0: "
                             "none, every client always has a request in flight)")
    parser.add_argument("--close", action="store_true",
                        help="a new connection per request (Connection: close), as nginx's "
                             "default proxying does, instead of keep-alive")
    parser.add_argument("--workers", type=int, default=web_workers(), help="gunicorn workers (the launcher's)")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per worker; 1 (the launcher's) means sync workers, more gthread")
    args = parser.parse_args()

    if not shutil.which("wrk"):
        print("wrk is not installed: apt-get install -y wrk", file=sys.stderr)
        return 2
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    # Production settings want a real secret; one per run is enough (sessions are made
    # in this run, by this process and the server alike).
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(64))
    from scratch_database import ensure_database
    from kpihub.dev import embedded

    ensure_database()
    data_dir = embedded.data_dir()
    domain = os.environ.get("KPIHUB_BASE_DOMAIN", "localhost")
    host = f"demo.{domain}"

    about = machine()
    print(f"Machine: {about['cores']} cores, {about['cpu']}, {about['memory']}; "
          f"Python {about['python']}; {about['wrk']}", flush=True)
    print(f"Code: {git_state()}", flush=True)
    started = time.perf_counter()
    for line in prepare():
        print(f"Prepared: {line}", flush=True)
    print(f"Preparation took {time.perf_counter() - started:.1f} s", flush=True)
    session_key, sizes = demo_session()
    print("Demo data: " + ", ".join(f"{n:,} {kind}" for kind, n in sizes.items()), flush=True)
    queries = count_queries(session_key, host)

    headers = {"Host": f"{host}:{args.port}", "Cookie": f"sessionid={session_key}",
               "X-Forwarded-Proto": "https", "Accept": "text/html,application/json"}
    if args.close:
        headers["Connection"] = "close"
    log = data_dir / "pages-gunicorn.log"
    kind = f"x {args.threads} threads (gthread)" if args.threads > 1 else "(sync)"
    print(f"gunicorn: kpihub.wsgi, {args.workers} workers {kind}, "
          f"settings {SETTINGS} (production, DEBUG off), log {log}", flush=True)
    pacing = (f"each waits {args.think_ms // 2}-{args.think_ms * 3 // 2} ms before a request"
              if args.think_ms else "no think time")
    print(f"wrk: {args.connections} connections "
          f"({'a new one per request' if args.close else 'keep-alive'}, {pacing}), "
          f"{args.wrk_threads} thread(s), {args.warmup} s warm-up + {args.duration} s per URL",
          flush=True)
    server = start_gunicorn(args.port, args.workers, args.threads, log)
    results = {}
    try:
        wait_until_serving(server, args.port, headers)
        for name, path, must_contain in PAGES:
            status, body = get(args.port, path, headers)
            if status != 200 or must_contain not in body:
                print(f"{path}: status {status}, expected 200 with {must_contain!r}; "
                      f"body starts {body[:200]!r}", file=sys.stderr)
                return 2
        for name, path, _ in PAGES:
            load_before = loadavg()
            wrk(args.port, path, headers, args.connections, args.wrk_threads, args.warmup,
                think_ms=args.think_ms)
            meter = CpuMeter(server.pid)
            figures = wrk(args.port, path, headers, args.connections, args.wrk_threads,
                          args.duration, workers=meter.workers - {server.pid}, think_ms=args.think_ms)
            figures["cpu"] = meter.stop()
            figures["load"] = f"{load_before} -> {loadavg()}"
            results[path] = figures
            print(f"  {name:<13} {figures['requests'] / (figures['duration_us'] / 1e6):7.1f} req/s  "
                  f"p50 {figures['p50'] / 1000:6.1f} ms  p95 {figures['p95'] / 1000:6.1f} ms  "
                  f"{cpu_line(figures)}", flush=True)
    finally:
        stop_gunicorn(server)

    print()
    print("| URL | requests/s | p50 ms | p95 ms | p99 ms | max ms | requests | failed "
          "| queries/request | in-process ms | server CPU ms/request | database CPU ms/request "
          "| other work, cores |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    failed_total = 0
    for name, path, _ in PAGES:
        f = results[path]
        failed = failures(f)
        failed_total += failed
        low, high = queries[path]["queries"]
        counted = str(low) if low == high else f"{low}-{high}"
        print(f"| {name} `{path}` | {f['requests'] / (f['duration_us'] / 1e6):.1f} "
              f"| {f['p50'] / 1000:.1f} | {f['p95'] / 1000:.1f} | {f['p99'] / 1000:.1f} "
              f"| {f['max'] / 1000:.1f} | {f['requests']:,} | {failed} | {counted} "
              f"| {queries[path]['in_process_ms']:.1f} | {cpu_ms_per_request(f, 'server'):.1f} "
              f"| {cpu_ms_per_request(f, 'database'):.1f} "
              f"| {f['cpu']['other_s'] / (f['cpu']['elapsed_s'] or 1):.2f} |")
    print()
    for name, path, _ in PAGES:
        statuses = ", ".join(f"{s}: {n:,}" for s, n in sorted(results[path]["statuses"].items()))
        print(f"{name}: statuses {statuses}; socket errors {results[path]['errors']}; "
              f"load average {results[path]['load']}; {cpu_line(results[path])}")
    dashboard_p95 = results["/"]["p95"] / 1000
    verdict = "MET" if dashboard_p95 < TARGET_P95_MS else "NOT MET"
    print(f"\nDashboard p95 {dashboard_p95:.1f} ms, target under {TARGET_P95_MS:.0f} ms: {verdict}")
    if failed_total:
        print(f"{failed_total} request(s) failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
