"""What is worked out from the data and read again and again (a cohort matrix, a
segment's figures, the filter bar's suggestions), kept in the cache until the next
recompute. Every change of the data ends in a KPI recompute, which sets
``KpiCoverage.computed_at``: that time is the data's version, and a key carrying it is
never read after the data changed. Before the first recompute nothing is kept."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from datetime import datetime
from typing import TypeVar

from django.core.cache import cache

from metrics.models import KpiCoverage

T = TypeVar("T")
# A kept value is replaced by the next recompute's (a new key); the expiry only bounds
# how long unused ones stay.
KEPT_SECONDS = 24 * 3600


def data_version() -> datetime | None:
    """The time of the last recompute (None before the first)."""
    return KpiCoverage.objects.filter(pk=1).values_list("computed_at", flat=True).first()


def until_next_recompute(name: str, parts: tuple[Hashable, ...], compute: Callable[[], T], *,
                         version: datetime | None) -> T:
    """``compute()``, kept under ``name``, ``parts`` (what else it depends on) and the
    data's ``version`` (data_version(), or a caller's KpiCoverage.computed_at); the
    cache adds the tenant's schema to every key (django_tenants.cache)."""
    if version is None:
        return compute()
    key = f"{name}:" + hashlib.sha1(repr((version.isoformat(), *parts)).encode()).hexdigest()
    kept = cache.get(key)
    if kept is None:
        kept = compute()
        cache.set(key, kept, KEPT_SECONDS)
    return kept
