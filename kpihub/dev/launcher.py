"""`make run`: prepare everything, start web + worker + beat, keep the worker and beat
running (restarted with backoff when they die), stop them all on Ctrl-C.

This process owns the embedded PostgreSQL and Redis it starts (if the URLs are not
given), so when it exits they stop too, and nothing else is touched.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from kpihub.dev import embedded

PYTHON = sys.executable


def manage(*args: str, capture: bool = False) -> str:
    result = subprocess.run([PYTHON, "manage.py", *args], check=True, text=True,
                            stdout=subprocess.PIPE if capture else None)
    return (result.stdout or "").strip()


def prepare() -> list[str]:
    """Migrate, build the platform, and return the lines worth printing."""
    manage("migrate_schemas", "--shared", "-v", "0")
    manage("setup_platform")
    manage("migrate_schemas", "--tenant", "-v", "0")
    manage("collectstatic", "--noinput", "-v", "0")
    lines = [f"Platform admin: {manage('ensure_platform_admin', capture=True)}"]
    if os.environ.get("KPIHUB_DEMO", "1") == "1":
        lines.append(manage("seed_demo", capture=True))
    return lines


def web_workers() -> int:
    """gunicorn's sync workers, 2 x cores + 1 as gunicorn advises. Not threads: a
    threaded worker keeps every keep-alive connection it accepted, and under load one
    worker ended up with most of them while the other idled, and the dashboard's p95
    suffered (docs/benchmarks.md, "Pages")."""
    return 2 * (os.cpu_count() or 1) + 1


BULK_QUEUE = os.environ.get("KPIHUB_BULK_QUEUE", "bulk")  # as kpihub/settings/base.py names it


def commands(port: int, data_dir) -> dict[str, list[str]]:
    celery = [PYTHON, "-m", "celery", "-A", "kpihub"]
    return {
        "web": [PYTHON, "-m", "gunicorn", "kpihub.wsgi", "--bind", f"127.0.0.1:{port}",
                "--workers", str(web_workers()), "--access-logfile", "-"],
        # Small work (every tenant's small imports and recomputes, e-mail, goals) never
        # waits behind a big import or recompute: those have a worker of their own, one
        # at a time (kpihub/queues.py; docs/decisions.md, "Noisy neighbours").
        "worker": [*celery, "worker", "--loglevel", "INFO", "--concurrency", "2", "--exclude-queues", BULK_QUEUE],
        "bulk-worker": [*celery, "worker", "--loglevel", "INFO", "--concurrency", "1", "--queues", BULK_QUEUE,
                        "--hostname", "bulk@%h"],
        "beat": [*celery, "beat", "--loglevel", "INFO",
                 "--schedule", str(data_dir / "celerybeat-schedule"),
                 "--pidfile", str(data_dir / "celerybeat.pid")],
    }


# The worker and beat are restarted when they die (an out-of-memory kill takes the
# worker, not the site): after 1 s, then 2, 4 ... up to a minute while they keep
# dying, and from 1 s again once one ran for a healthy minute. The web server is not:
# gunicorn's master already replaces a worker of its own that dies, so the master
# itself exiting means the site cannot serve (its port taken, its code broken), and
# restarting it in a loop would hide that; everything stops and says why.
RESTARTED = ("worker", "bulk-worker", "beat")
FIRST_DELAY = 1.0
MAX_DELAY = 60.0
HEALTHY_AFTER = 60.0


@dataclass
class Service:
    name: str
    command: list[str]
    restart: bool
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    failures: int = 0  # deaths in a row, each within HEALTHY_AFTER of its start
    restart_at: float | None = None  # when a dead one starts again


@dataclass
class Supervisor:
    """Starts the services, restarts the restartable ones with backoff, and says when
    everything must stop. ``clock``, ``spawn`` and ``say`` are parameters so that the
    backoff can be tested without waiting."""

    commands: dict[str, list[str]]
    restartable: tuple[str, ...] = RESTARTED
    clock: Callable[[], float] = time.monotonic
    spawn: Callable[..., subprocess.Popen] = subprocess.Popen
    say: Callable[[str], None] = field(default=lambda line: print(line, file=sys.stderr, flush=True))
    services: dict[str, Service] = field(init=False)

    def __post_init__(self) -> None:
        self.services = {name: Service(name, command, name in self.restartable)
                         for name, command in self.commands.items()}

    def start(self) -> None:
        for service in self.services.values():
            self._spawn(service)

    def _spawn(self, service: Service) -> None:
        # A session of its own: a dead worker's pool children can be ended with it,
        # and Ctrl-C reaches the services only through stop(), once.
        service.process = self.spawn(service.command, start_new_session=True)
        service.started_at, service.restart_at = self.clock(), None

    def check(self) -> str | None:
        """One round: restart what is due; returns why everything must stop, if it must."""
        now = self.clock()
        for service in self.services.values():
            if service.restart_at is not None:
                if now >= service.restart_at:
                    self.say(f"Starting {service.name} again.")
                    self._spawn(service)
                continue
            code = service.process.poll()
            if code is None:
                continue
            _end_group(service.process)  # what the dead one left behind (pool children)
            if not service.restart:
                return f"{service.name} stopped unexpectedly (exit code {code}); shutting down."
            uptime = now - service.started_at
            if uptime >= HEALTHY_AFTER:
                service.failures = 0
            delay = min(FIRST_DELAY * 2 ** service.failures, MAX_DELAY)
            service.failures += 1
            service.restart_at = now + delay
            self.say(f"{service.name} stopped unexpectedly (exit code {code}) after {uptime:.0f} s; "
                     f"restarting it in {delay:g} s. The site stays up.")
        return None

    def stop(self) -> None:
        running = [s.process for s in self.services.values()
                   if s.process is not None and s.process.poll() is None]
        for process in running:
            process.terminate()  # the leader: a warm shutdown ends its children itself
        deadline = time.monotonic() + 15
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait(timeout=5)
        for service in self.services.values():
            if service.process is not None:
                _end_group(service.process)


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(process.pid, signum)  # the service's session: its own group, same id
    except ProcessLookupError:
        pass


def _end_group(process: subprocess.Popen) -> None:
    """Kill what is left of a service that exited (a killed worker's pool children
    would otherwise finish their task, and hold its locks, with nobody to ack it)."""
    _signal_group(process, signal.SIGKILL)


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpihub.settings.development")
    data_dir = embedded.data_dir()
    embedded.ensure_service_urls()
    port = int(os.environ.get("PORT", "8000"))
    domain = os.environ.get("KPIHUB_BASE_DOMAIN", "localhost")
    lines = prepare()
    supervisor = Supervisor(commands(port, data_dir))
    supervisor.start()
    print("\n".join([
        "",
        "KPI Hub is running. Ctrl-C stops it.",
        f"  Public site and sign-up:  http://{domain}:{port}/",
        f"  Platform admin:           http://{domain}:{port}/admin/",
        f"  Demo company:             http://demo.{domain}:{port}/",
        f"  Health:                   http://{domain}:{port}/healthz",
        f"  Data dir:                 {data_dir}",
        *[f"  {line}" for line in lines],
        "",
    ]), flush=True)

    stopping = False

    def on_signal(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    while not stopping:
        reason = supervisor.check()
        if reason:
            print(reason, file=sys.stderr, flush=True)
            break
        time.sleep(0.5)
    supervisor.stop()
    print("Stopped web, worker and beat.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
