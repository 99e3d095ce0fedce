"""Live workers keep the tasks they hold visible to nobody else; dead workers' come back.

With Redis as the broker, a task taken by a worker (acks_late) waits in Redis's
``unacked`` hash, indexed by the time it was taken (``unacked_index``), until the
worker acknowledges it. A worker killed with SIGKILL (an out-of-memory kill, a lost
machine) never does; any live worker puts such a message back in its queue once it
is older than the broker's visibility timeout. Alone, that timeout would have to be
longer than the longest task and the longest countdown (hours), or Redis would hand
out work that is still running; then a killed worker's task would wait hours.

So every worker renews, every ``timeout / 5`` seconds, the index entry of each
message it still holds (running, waiting for its countdown, prefetched): a live
worker's messages never look old, and the timeout can be minutes
(``KPIHUB_BROKER_VISIBILITY_TIMEOUT``, 300 s). A dead worker's stop being renewed and
are delivered again (flagged ``redelivered``) within the timeout plus one restore
scan. Tasks are idempotent, and ``jobs.tasks.JobReporter`` counts the runs a dead
worker interrupted so that a task that kills its worker every time stops being retried.
"""

from __future__ import annotations

import logging
import threading
import time

from celery.signals import worker_ready, worker_shutdown
from django.conf import settings

logger = logging.getLogger(__name__)
_stop = threading.Event()


def renew_every() -> float:
    return max(1.0, settings.BROKER_VISIBILITY_TIMEOUT / 5)


def held_tags(consumer) -> list[str]:
    """Delivery tags of the messages this worker holds unacknowledged. kombu's QoS
    keeps them (``_delivered``) until the ack: there is no public accessor."""
    task_consumer = getattr(consumer, "task_consumer", None)
    qos = getattr(getattr(task_consumer, "channel", None), "qos", None)
    delivered = getattr(qos, "_delivered", None)
    if delivered is None:
        return []
    for _ in range(3):  # the event loop may change it while we copy it
        try:
            return list(delivered)
        except RuntimeError:
            continue
    return []


def renew(channel, tags: list[str], now: float) -> int:
    """Move the tags' index entries to ``now``; XX: never re-adds one acked meanwhile."""
    if not tags:
        return 0
    return channel.client.zadd(channel.unacked_index_key, {tag: now for tag in tags}, xx=True, ch=True)


def _renew_forever(consumer) -> None:
    from kpihub.celery import app

    channel = None
    while not _stop.wait(renew_every()):
        try:
            if channel is None:
                connection = app.connection_for_write()
                channel = connection.default_channel
                if not hasattr(channel, "unacked_index_key"):
                    return  # not the Redis transport: nothing to renew
            renew(channel, held_tags(consumer), time.time())
        except Exception:  # the broker away for a moment: try again next round
            logger.warning("could not renew the visibility of held tasks", exc_info=True)
            channel = None


@worker_ready.connect
def start_renewing(sender=None, **kwargs) -> None:
    """In the worker's main process (which holds the messages), once it consumes."""
    _stop.clear()
    threading.Thread(target=_renew_forever, args=(sender,), name="kpihub-visibility", daemon=True).start()


@worker_shutdown.connect
def stop_renewing(**kwargs) -> None:
    _stop.set()
