"""What benchmarks/blocking.py and benchmarks/neighbours.py share: a platform as
``make run`` runs it (gunicorn with production settings, the Celery workers the
launcher starts), tenants signed up in a database of the benchmark's own, a big
invoices file imported through the real task, and clients that time a tenant's pages
one request after another while it runs.

Uses DATABASE_URL / REDIS_URL (else the embedded servers) and KPIHUB_DATA_DIR; the
scratch database ``<name>_<suffix>_bench`` is dropped at the end.
"""

from __future__ import annotations

import http.client
import os
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
SETTINGS = "benchmarks.pages_settings"
os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(64))
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

from imports import write_invoices  # noqa: E402
from pages import git_state, loadavg, start_gunicorn, stop_gunicorn  # noqa: E402


def prepare(suffix: str) -> tuple[str, str]:
    """A scratch database with the platform migrated and static files collected."""
    from scratch_database import bench_database

    admin_url, bench = bench_database(suffix)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate_schemas", "--shared", verbosity=0)
    call_command("setup_platform", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    return admin_url, bench


@dataclass
class Tenant:
    slug: str
    tenant: object
    token: str
    session: str

    def headers(self, port: int) -> dict[str, str]:
        from django.conf import settings

        return {"Host": f"{self.slug}.{settings.BASE_DOMAIN}:{port}", "X-Forwarded-Proto": "https",
                "Cookie": f"sessionid={self.session}", "Accept": "text/html,application/json"}


def sign_up(slug: str) -> Tenant:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.db import connection
    from django_tenants.utils import tenant_context

    from accounts.backends import MEMBER_BACKEND
    from tenants.signup import sign_up as signing_up

    email = f"owner@{slug}.example"
    result = signing_up(company_name=f"Bench {slug}", slug=slug, email=email,
                        password="correct-horse-battery-staple")
    store = import_module(settings.SESSION_ENGINE).SessionStore
    with tenant_context(result.tenant):
        user = get_user_model().objects.get(pk=result.user_id)
        session = store()
        session[SESSION_KEY] = user._meta.pk.value_to_string(user)
        session[BACKEND_SESSION_KEY] = MEMBER_BACKEND
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
    connection.set_schema_to_public()
    return Tenant(slug=slug, tenant=result.tenant, token=result.token, session=session.session_key)


class Platform:
    """gunicorn and the Celery workers, started as the launcher starts them."""

    def __init__(self, port: int, log_dir: Path):
        self.port, self.log_dir = port, log_dir
        self.processes: list[subprocess.Popen] = []

    def __enter__(self):
        from kpihub.dev import launcher

        self.processes.append(start_gunicorn(self.port, launcher.web_workers(), 1, self.log_dir / "gunicorn.log"))
        for name, command in worker_commands():
            log = (self.log_dir / f"{name}.log").open("w")
            self.processes.append(subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                                   start_new_session=True))
        return self

    def __exit__(self, *exc):
        stop_gunicorn(self.processes[0])
        for process in self.processes[1:]:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes[1:]:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def worker_commands() -> list[tuple[str, list[str]]]:
    """The Celery workers ``make run`` starts (kpihub.dev.launcher.commands)."""
    from kpihub.dev import launcher

    return [(name, command) for name, command in launcher.commands(0, Path("/tmp")).items() if "worker" in name]


def get(port: int, path: str, headers: dict[str, str]) -> tuple[int, float]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status, (time.perf_counter() - started) * 1000
    finally:
        conn.close()


def wait_until_serving(port: int, headers: dict[str, str]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if get(port, "/bench/trivial/", headers)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("gunicorn did not answer within 90 s")


@dataclass
class Sampler:
    """One client timing ``path`` request after request (``pause`` between two) until
    stopped: a user reading pages."""
    port: int
    path: str
    headers: dict[str, str]
    pause: float = 0.2
    samples: list[tuple[float, float, int]] = field(default_factory=list)   # (started, ms, status)

    def __post_init__(self):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> Sampler:
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.is_set():
            started = time.time()
            try:
                status, ms = get(self.port, self.path, self.headers)
            except OSError:
                status, ms = 0, (time.time() - started) * 1000
            self.samples.append((started, ms, status))
            self._stop.wait(self.pause)

    def stop(self) -> list[tuple[float, float, int]]:
        self._stop.set()
        self._thread.join()
        return self.samples


def summary(samples: list[tuple[float, float, int]], since: float = 0, until: float = float("inf")) -> dict:
    chosen = [(ms, status) for started, ms, status in samples if since <= started <= until]
    times = sorted(ms for ms, _ in chosen)
    if not times:
        return {"n": 0}
    return {"n": len(times), "p50": statistics.median(times), "p95": percentile(times, 95),
            "max": times[-1], "failed": sum(status != 200 for _, status in chosen)}


def percentile(ordered: list[float], p: float) -> float:
    index = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def line(name: str, figures: dict) -> str:
    if not figures.get("n"):
        return f"{name}: no sample"
    return (f"{name}: {figures['n']} requests, p50 {figures['p50']:.0f} ms, p95 {figures['p95']:.0f} ms, "
            f"max {figures['max']:.0f} ms, failed {figures['failed']}")


def start_import(tenant: Tenant, path: Path, kind: str = "invoices"):
    """The file handed to the import service as an upload is (kept, its task queued);
    the platform's worker runs it."""
    from django.conf import settings
    from django.core.files import File
    from django.db import connection
    from django.test import override_settings

    from metrics.imports import services

    connection.set_tenant(tenant.tenant)
    size = path.stat().st_size
    # (override_settings is process-wide: only for a file above the limit, from one thread)
    limit = override_settings(KPIHUB_IMPORT_MAX_BYTES=size) if size > settings.KPIHUB_IMPORT_MAX_BYTES else nullcontext()
    with path.open("rb") as handle, limit:
        record = services.start_import(kind=kind, upload=File(handle, name=path.name))
    connection.set_schema_to_public()
    return record


def wait_for_import(tenant: Tenant, record, timeout: float = 1800) -> dict:
    """Until the import's job is finished: its status and times (epoch seconds)."""
    from django.db import connection

    from jobs.models import Job

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        connection.set_tenant(tenant.tenant)
        job = Job.objects.get(pk=record.job_id)
        connection.set_schema_to_public()
        if job.status in (Job.Status.SUCCEEDED, Job.Status.FAILED):
            return {"status": job.status, "created": job.created_at.timestamp(),
                    "started": job.started_at.timestamp() if job.started_at else None,
                    "finished": job.finished_at.timestamp(), "error": job.error}
        time.sleep(0.2)
    raise SystemExit(f"the import of {tenant.slug} did not finish within {timeout:.0f} s")


def wait_for_recompute(tenant: Tenant, after: float, timeout: float = 1800) -> float:
    """Until the KPI recompute that follows an import finished at ``after`` has run:
    its coverage row is newer and no recompute holds the tenant's lock. Returns when."""
    from django.core.cache import cache
    from django.db import connection

    from metrics.kpis.tasks import follower_key, lock_key
    from metrics.models import KpiCoverage

    deadline = time.monotonic() + timeout
    schema = tenant.tenant.schema_name
    while time.monotonic() < deadline:
        connection.set_tenant(tenant.tenant)
        coverage = KpiCoverage.objects.order_by("-computed_at").first()
        connection.set_schema_to_public()
        if (coverage and coverage.computed_at.timestamp() >= after and cache.get(lock_key(schema)) is None
                and cache.get(follower_key(schema)) is None):
            return time.time()
        time.sleep(0.3)
    raise SystemExit(f"the recompute of {tenant.slug} did not finish within {timeout:.0f} s")


def about() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "unknown")
    memory = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    return (f"Machine: {os.cpu_count()} cores, {cpu}, {memory:.0f} GiB; Python {sys.version.split()[0]}; "
            f"load average {loadavg()}\nCode: {git_state()}")


def big_file(directory: Path, rows: int) -> Path:
    path = directory / "invoices.csv"
    write_invoices(path, rows)
    return path
