"""`make run`: prepare everything, start web + worker + beat, stop them on Ctrl-C.

This process owns the embedded PostgreSQL and Redis it starts (if the URLs are not
given), so when it exits they stop too, and nothing else is touched.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

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


def start_processes(port: int, data_dir) -> dict[str, subprocess.Popen]:
    celery = [PYTHON, "-m", "celery", "-A", "kpihub"]
    commands = {
        "web": [PYTHON, "-m", "gunicorn", "kpihub.wsgi", "--bind", f"127.0.0.1:{port}",
                "--workers", str(web_workers()), "--access-logfile", "-"],
        "worker": [*celery, "worker", "--loglevel", "INFO", "--concurrency", "2"],
        "beat": [*celery, "beat", "--loglevel", "INFO",
                 "--schedule", str(data_dir / "celerybeat-schedule"),
                 "--pidfile", str(data_dir / "celerybeat.pid")],
    }
    return {name: subprocess.Popen(command) for name, command in commands.items()}


def stop(processes: dict[str, subprocess.Popen]) -> None:
    for process in processes.values():
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + 15
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpihub.settings.development")
    data_dir = embedded.data_dir()
    embedded.ensure_service_urls()
    port = int(os.environ.get("PORT", "8000"))
    domain = os.environ.get("KPIHUB_BASE_DOMAIN", "localhost")
    lines = prepare()
    processes = start_processes(port, data_dir)
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
        dead = [name for name, process in processes.items() if process.poll() is not None]
        if dead:
            print(f"{', '.join(dead)} stopped unexpectedly; shutting down.", file=sys.stderr)
            break
        time.sleep(0.5)
    stop(processes)
    print("Stopped web, worker and beat.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
