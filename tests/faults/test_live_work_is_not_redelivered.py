"""The other side of a short visibility timeout: work a live worker holds longer than
the timeout (a long task, a countdown) is not handed to a second worker, because the
live worker renews it (jobs/visibility.py). An idle second worker scans for abandoned
messages every second meanwhile; each probe must run exactly once."""

from __future__ import annotations

import time
import uuid

import pytest

from tests.faults.conftest import VISIBILITY_TIMEOUT
from tests.faults.tasks import slow_probe
from tests.support.waiting import wait_until

pytestmark = pytest.mark.worker


def test_a_long_task_and_a_long_countdown_run_once_with_a_second_worker_watching(acme, workers, send):
    from django.db import connection

    connection.set_tenant(acme.tenant)
    client = workers.broker.client()
    long_task, counted_down = uuid.uuid4().hex, uuid.uuid4().hex
    with workers.running(label="-busy"):
        send(slow_probe, queue=workers.queue, args=[long_task, 3 * VISIBILITY_TIMEOUT])
        wait_until(lambda: client.get(f"fault-probe:{long_task}"), timeout=30, what="the long task to start")
        with workers.running(label="-watching"):
            # The countdown's message is held, unacknowledged, by a worker until it is due.
            from kpihub.celery import app

            with app.connection_for_write(workers.broker.url) as conn:
                slow_probe.apply_async(args=[counted_down, 0], queue=workers.queue, connection=conn,
                                       countdown=2 * VISIBILITY_TIMEOUT)
            time.sleep(3 * VISIBILITY_TIMEOUT + 2)
            wait_until(lambda: client.get(f"fault-probe:{counted_down}"), timeout=30, what="the countdown")
            wait_until(lambda: not client.hlen("unacked") and not client.llen(workers.queue), timeout=30,
                       what="both to be acknowledged")
            time.sleep(VISIBILITY_TIMEOUT)  # a wrongly restored copy would have run by now
    assert int(client.get(f"fault-probe:{long_task}")) == 1
    assert int(client.get(f"fault-probe:{counted_down}")) == 1
