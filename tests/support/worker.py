"""Start a real Celery worker process against the test database and broker."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager

from django.conf import settings
from django.db import connection


@contextmanager
def celery_worker(*, queue: str | None = None, extra_env: dict | None = None, label: str = "",
                  consume: list[str] | None = None):
    """A worker on the test queue (or ``queue``) and its bulk queue (kpihub/queues.py),
    or only on the queues ``consume`` names, with ``extra_env`` added to its environment
    (e.g. ``KPIHUB_TEST_EMAIL_URL`` to send mail to a test's SMTP sink)."""
    queue = queue or settings.CELERY_TASK_DEFAULT_QUEUE
    consume = consume or [queue, f"{queue}-bulk"]   # the bulk queue as settings/test.py names it
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kpihub.settings.test",
        # The worker must see the test database, not the development one.
        "DATABASE_URL": database_url_for(db, connection.settings_dict["NAME"]),
        "REDIS_URL": settings.REDIS_URL,
        "KPIHUB_TEST_QUEUE": queue,
        **(extra_env or {}),
    }
    name = f"kpihub-test-{os.getpid()}{label}@{socket.gethostname()}"
    command = [sys.executable, "-m", "celery", "-A", "kpihub", "worker", "--pool", "solo",
               "--loglevel", "WARNING", "--without-heartbeat", "--without-gossip",
               "--without-mingle", "-Q", ",".join(consume),
               "--include", "tests.support.tasks", "--hostname", name]
    process = subprocess.Popen(command, env=env, cwd=settings.BASE_DIR)
    try:
        _wait_until_ready(process, name)
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def database_url_for(db: dict, name: str) -> str:
    from urllib.parse import quote

    host = quote(db.get("HOST") or "", safe="")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    user = db.get("USER") or "postgres"
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    return f"postgresql://{user}{password}@{host}{port}/{name}"


def _wait_until_ready(process: subprocess.Popen, name: str, timeout: float = 30) -> None:
    from kpihub.celery import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the Celery worker exited at start")
        replies = app.control.ping(timeout=0.5, destination=[name]) or []
        if replies:
            return
        time.sleep(0.2)
    raise RuntimeError("the Celery worker did not answer a ping")
