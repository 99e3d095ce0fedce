"""A task that only the fault suite's workers load (``--include``): it counts its runs
in Redis and takes as long as it is told, longer than the visibility timeout."""

import time

import redis
from django.conf import settings

from jobs.tasks import tenant_task


@tenant_task()
def slow_probe(token: str, seconds: float) -> int:
    runs = redis.Redis.from_url(settings.REDIS_URL).incr(f"fault-probe:{token}")
    time.sleep(seconds)
    return runs
