"""Redis (broker and cache) restarted under web traffic, with a survey send queued and
nobody consuming it, then again with a worker connected. The site keeps answering (the
cache reads as a miss meanwhile; no 500), /healthz names the broker while it is down,
the queued send survives the restart (Redis keeps an append-only file, as a production
Redis must) and goes out once, and the worker reconnects by itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import connection

from jobs.models import Job
from metrics.models import Customer
from surveys.models import Survey
from tests.faults.conftest import free_port
from tests.support.waiting import wait_for_job, wait_until

pytestmark = pytest.mark.worker


def call(port: int, host: str, path: str, *, token: str = "", method: str = "GET", body=None):
    headers = {"Host": host, "Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers, method=method, data=data)
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError:
        return 0, b""


@contextmanager
def serving(env: dict):
    """gunicorn with ``env`` (the workers' broker and database), like make run's."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "kpihub.wsgi", "--bind", f"127.0.0.1:{port}",
                                "--workers", "2", "--log-level", "warning"],
                               env=env, cwd=settings.BASE_DIR)
    process.port = port
    try:
        wait_until(lambda: call(port, "localhost", "/healthz")[0] == 200, timeout=60, interval=0.3,
                   what="the web server")
        yield process
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture
def web(workers):
    with serving(workers.env) as process:
        yield process


@pytest.fixture
def audience(acme, committed_db):
    tag = uuid.uuid4().hex[:8]
    connection.set_tenant(acme.tenant)
    made = Customer.objects.bulk_create(
        [Customer(customer_id=f"fr-{tag}-{i}", name=f"Redis {i}", email=f"r{i}-{tag}@customers.example")
         for i in range(8)])
    yield tag, [c.customer_id for c in made], {c.email for c in made}
    connection.set_tenant(acme.tenant)
    surveys = Survey.objects.filter(name__endswith=tag)
    jobs = [s.send_job_id for s in surveys if s.send_job_id]
    surveys.delete()
    Job.objects.filter(pk__in=jobs).delete()
    Customer.objects.filter(customer_id__startswith=f"fr-{tag}-").delete()


def send_survey(port: int, acme, name: str, customer_ids: list[str]) -> str:
    status, body = call(port, acme.host, "/api/v1/surveys/", token=acme.owner_token, method="POST",
                        body={"type": "nps", "name": name, "throttle_days": 0,
                              "audience": {"customer_ids": customer_ids}})
    assert status == 201, body
    status, body = call(port, acme.host, f"/api/v1/surveys/{json.loads(body)['id']}/send/",
                        token=acme.owner_token, method="POST")
    assert status == 202, body
    return json.loads(body)["job_id"]


class Traffic:
    """Requests in a loop from a thread: a member's API reads and pages, and /healthz."""

    def __init__(self, port: int, acme):
        self.port, self.acme = port, acme
        self.answers: list[tuple[str, int, float]] = []
        self.health: list[tuple[int, dict]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)

    def _run(self):
        paths = ["/api/v1/me/", "/api/v1/kpis/", "/api/v1/surveys/", "/api/v1/data/customers/"]
        while not self._stop.is_set():
            for path in paths:
                started = time.monotonic()
                status, _ = call(self.port, self.acme.host, path, token=self.acme.owner_token)
                self.answers.append((path, status, time.monotonic() - started))
            status, body = call(self.port, self.acme.host, "/accounts/login/")
            self.answers.append(("/accounts/login/", status, 0.0))
            status, body = call(self.port, "localhost", "/healthz")
            self.health.append((status, json.loads(body or b"{}")))
            time.sleep(0.05)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def test_redis_restarted_under_traffic_with_a_send_queued(acme, broker, workers, web, audience, worker_mailbox):
    tag, customer_ids, emails = audience
    queued_job = send_survey(web.port, acme, f"Queued before the restart {tag}", customer_ids[:4])
    assert broker.client().llen(workers.queue) == 1  # waiting in Redis, no worker yet

    with Traffic(web.port, acme) as traffic:
        time.sleep(1)
        broker.stop()  # Redis's own shutdown: it writes its append-only file
        down_at = len(traffic.health)
        wait_until(lambda: len(traffic.health) > down_at + 3, timeout=30, what="requests while Redis is down")
        broker.start()
        wait_until(lambda: traffic.health and traffic.health[-1][0] == 200, timeout=30,
                   what="/healthz to be healthy again")
        time.sleep(1)

    statuses = Counter(status for _, status, _ in traffic.answers)
    assert set(statuses) == {200}, statuses  # every page answered, through the outage
    down = [body for status, body in traffic.health if status == 503]
    assert down and all(body["broker"].startswith("down") and body["database"] == "ok" for body in down)
    assert {status for status, _ in traffic.health} <= {200, 503}
    slowest = max(seconds for _, _, seconds in traffic.answers)

    with workers.running():
        done = wait_for_job(queued_job, acme.tenant, timeout=60)  # the send queued before survived
        assert done.status == Job.Status.SUCCEEDED, done.error

        broker.stop()  # again, with the worker connected: it reconnects by itself
        time.sleep(1)
        broker.start()
        after_job = send_survey(web.port, acme, f"Sent after the restart {tag}", customer_ids[4:])
        done = wait_for_job(after_job, acme.tenant, timeout=90)
        assert done.status == Job.Status.SUCCEEDED, done.error

    received = Counter(m["To"] for m in worker_mailbox.messages if m["To"] in emails)
    assert received == Counter({email: 1 for email in emails})  # everyone once, nobody lost
    print(f"Redis restarts: {sum(statuses.values())} page requests all 200 (slowest {slowest:.2f} s); "
          f"/healthz said the broker was down {len(down)} times")
