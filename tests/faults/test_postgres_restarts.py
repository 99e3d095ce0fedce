"""PostgreSQL restarted during an import and during a recompute, under web traffic.
A PostgreSQL of the suite's own (pgserver, as `make run` embeds it, under the data dir),
loaded with a copy of the test database: never the machine's shared server.

Each ends with the data as before the restart, then as after the job (the task retries
on the connection error and finishes), never in between; pages answer 503 with
Retry-After while the database is away, never 500; /healthz names the database."""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection

from tenants.backup import pg_dump_for
from tests.faults.test_redis_restarts import Traffic, call, serving
from tests.faults.test_worker_killed import invoices_csv
from tests.support.waiting import wait_until

pytestmark = pytest.mark.worker
ROWS = 60_000


class Postgres:
    """pgserver's PostgreSQL in a directory of its own, stopped and started with pg_ctl."""

    def __init__(self, directory: Path):
        import pgserver

        self.server = pgserver.get_server(directory, cleanup_mode="stop")
        self.pgdata = directory
        self.socket_dir = self.server.get_uri().split("host=", 1)[1].split("&", 1)[0]
        self.server.psql("CREATE DATABASE faults;")

    def url(self, database: str = "faults") -> str:
        return f"postgresql://postgres@{quote(self.socket_dir, safe='')}/{database}"

    def connect(self, schema: str) -> psycopg.Connection:
        return psycopg.connect(host=self.socket_dir, user="postgres", dbname="faults", autocommit=True,
                               options=f"-c search_path={schema}")

    def _pg_ctl(self, *args: str) -> None:
        from pgserver._commands import pg_ctl

        pg_ctl(["-w", *args], pgdata=self.pgdata, user=self.server.system_user, timeout=30)

    def stop(self) -> None:
        self._pg_ctl("stop", "-m", "fast")  # every session ends, their transactions roll back

    def start(self) -> None:
        self._pg_ctl("-o", '-h ""', "-o", f"-k {self.socket_dir}", "-l", str(self.pgdata / "log"), "start")


@pytest.fixture(scope="module")
def postgres(django_db_setup, django_db_blocker):
    base = Path(f"/tmp/kpihub-faults-pg-{os.getpid()}")  # readable by pgserver's system user
    base.mkdir(mode=0o755, exist_ok=True)
    server = Postgres(base / "pgdata")
    with django_db_blocker.unblock():
        params = connection.get_connection_params()
        connection.ensure_connection()
        server_version = connection.connection.info.server_version
    # The suite's server may be the embedded one, newer than the machine's pg_dump.
    pg_dump = pg_dump_for(server_version).path
    dump = subprocess.run([pg_dump, "--no-owner", "--no-privileges", "-h", params.get("host") or "127.0.0.1",
                           "-p", str(params.get("port") or 5432), "-U", params.get("user") or "postgres",
                           params["dbname"]], check=True, capture_output=True).stdout
    psql = str(Path(__import__("pgserver").__file__).parent / "pginstall" / "bin" / "psql")
    subprocess.run([psql, "-q", "-v", "ON_ERROR_STOP=0", "-h", server.socket_dir, "-U", "postgres", "faults"],
                   input=dump, check=True, capture_output=True, user=server.server.system_user)
    yield server
    server.server.cleanup()
    subprocess.run(["rm", "-rf", str(base)], check=False)


@pytest.fixture
def on_postgres(postgres, workers):
    """The workers (and the web server) of this test on the suite's PostgreSQL."""
    workers.env["DATABASE_URL"] = postgres.url()
    return workers


@pytest.fixture
def web(on_postgres):
    with serving(on_postgres.env) as process:
        yield process


def one(db: psycopg.Connection, sql: str, *params):
    return db.execute(sql, params).fetchone()


def job(db, job_id) -> tuple[str, int]:
    return one(db, "SELECT status, interruptions FROM jobs_job WHERE id = %s", job_id)


def wait_for(db, sql: str, *, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not one(db, f"SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE state = 'active' AND query ILIKE %s "
                      "AND pid <> pg_backend_pid())", sql)[0]:
        assert time.monotonic() < deadline, f"no session ran {sql}"
        time.sleep(0.005)


def values(db) -> dict:
    return {(kpi, month): value for kpi, month, value in
            db.execute("SELECT kpi, month, value FROM metrics_kpivalue").fetchall()}


def outage(postgres: Postgres, traffic: Traffic, seconds: float = 3) -> None:
    postgres.stop()
    before = len(traffic.health)
    wait_until(lambda: len(traffic.health) > before + 2, timeout=30, what="requests while PostgreSQL is down")
    time.sleep(max(0.0, seconds - 1))
    postgres.start()
    wait_until(lambda: traffic.health and traffic.health[-1][0] == 200, timeout=60, what="/healthz healthy again")


def upload_request(port: int, acme, tag: str, rows: int = ROWS) -> tuple[int, bytes]:
    """POST /api/v1/imports/ with a CSV of ``rows`` invoices, as multipart."""
    import urllib.error
    import urllib.request

    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\ninvoices\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{tag}.csv\"\r\n"
            f"Content-Type: text/csv\r\n\r\n").encode() + invoices_csv(tag, rows) + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/imports/", data=body, method="POST", headers={
        "Host": acme.host, "Authorization": f"Token {acme.owner_token}",
        "Content-Type": f"multipart/form-data; boundary={boundary}"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def upload(port: int, acme, tag: str) -> dict:
    status, body = upload_request(port, acme, tag)
    assert status in (201, 202), body
    return json.loads(body)


def check_traffic(traffic: Traffic) -> Counter:
    statuses = Counter(status for _, status, _ in traffic.answers)
    assert 500 not in statuses and set(statuses) <= {200, 503}, statuses
    assert statuses[503], "some requests came while the database was away"
    down = [body for status, body in traffic.health if status == 503]
    assert down and all(body["database"].startswith("down") for body in down)
    return statuses


def test_postgres_restarted_during_an_import(acme, postgres, on_postgres, web):
    tag = uuid.uuid4().hex[:8]
    db = postgres.connect(acme.tenant.schema_name)
    with on_postgres.running(), Traffic(web.port, acme) as traffic:
        started = upload(web.port, acme, tag)
        job_id = started["job_id"] if "job_id" in started else started["job"]["id"]
        wait_for(db, "%WITH made AS (%")  # writing, inside the import's transaction
        outage(postgres, traffic)
        db = postgres.connect(acme.tenant.schema_name)
        assert one(db, "SELECT count(*) FROM metrics_invoice WHERE invoice_id LIKE %s", f"f-{tag}-%")[0] == 0
        wait_until(lambda: job(db, job_id)[0] in ("succeeded", "failed"), timeout=120, interval=0.5,
                   what="the import to finish after the restart")
    status, interruptions = job(db, job_id)
    assert status == "succeeded"
    assert one(db, "SELECT count(*) FROM metrics_invoice WHERE invoice_id LIKE %s", f"f-{tag}-%")[0] == ROWS
    statuses = check_traffic(traffic)
    print(f"PostgreSQL restarted mid-import: {dict(statuses)}; job {status}, {interruptions} interruptions")


def test_postgres_restarted_during_a_recompute(acme, postgres, on_postgres, web):
    db = postgres.connect(acme.tenant.schema_name)
    with on_postgres.running(), Traffic(web.port, acme) as traffic:
        tag = uuid.uuid4().hex[:8]
        first = upload(web.port, acme, tag)  # data to compute on
        job_id = first["job_id"] if "job_id" in first else first["job"]["id"]
        wait_until(lambda: job(db, job_id)[0] == "succeeded", timeout=120, interval=0.5, what="the import")
        # The import's own recompute has no job to wait for (and may join a follower queued
        # in an earlier test's worker queue, gone with it), and other tests leave jobs of
        # the session company queued on queues no worker reads: "before" is read after a
        # recompute with a job of its own, which never joins anything.
        status, body = call(web.port, acme.host, "/api/v1/kpis/recompute/", token=acme.owner_token, method="POST")
        assert status == 202, body
        settled = json.loads(body)["job_id"]
        wait_until(lambda: job(db, settled)[0] == "succeeded", timeout=120, interval=0.5,
                   what="a recompute of the imported data")
        before = values(db)
        db.execute("UPDATE metrics_invoice SET amount = 1 WHERE invoice_id LIKE %s", (f"f-{tag}-%",))
        status, body = call(web.port, acme.host, "/api/v1/kpis/recompute/", token=acme.owner_token, method="POST")
        assert status == 202, body
        recompute = json.loads(body)["job_id"]
        wait_until(lambda: job(db, recompute)[0] == "running", timeout=60, interval=0.01, what="the recompute")
        time.sleep(0.3)
        outage(postgres, traffic)
        db = postgres.connect(acme.tenant.schema_name)
        middle = values(db)
        wait_until(lambda: job(db, recompute)[0] in ("succeeded", "failed"), timeout=120, interval=0.5,
                   what="the recompute to finish after the restart")
    assert job(db, recompute)[0] == "succeeded"
    after = values(db)
    changed = {key for key in after if after[key] != before.get(key)}
    assert changed
    # As before, or already as after: never a mix.
    assert middle == before or middle == after, (
        {key: (before.get(key), middle.get(key), after.get(key)) for key in set(before) | set(after)
         if middle.get(key) not in (before.get(key), after.get(key)) or (key in changed and
                                                                          middle.get(key) != before.get(key))})
    statuses = check_traffic(traffic)
    print(f"PostgreSQL restarted mid-recompute: {dict(statuses)}")
