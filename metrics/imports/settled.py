"""What a member settles once for the things a vendor file names without saying
enough: the category of each account of a QuickBooks report (accounts.py), the value
of each coupon of a Stripe subscriptions export (coupons.py). One mechanism for both
(docs/decisions.md, "QuickBooks accounts" and "Coupons"):

- sent with an import or a preview as a JSON object ``{"<name>": <value>}``, read and
  checked by the family's own ``check``;
- applied over what the tenant confirmed before (a model row per source and name);
- recorded with the import only where it says something new (``meaningful``);
- remembered when the import succeeds, for the names the file really has;
- listed by the preview from the whole file (up to ``LISTING_ROWS`` rows): a name is
  settled once, not once per preview head.

A family's ``known`` object (``quickbooks.Choices``, ``stripe.Coupons``) holds
``given``, ``confirmed``, ``confirmed_how`` and, once the file is read, ``found``.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from typing import Any, BinaryIO, Callable

from django.db import models

from metrics.imports import sources
from metrics.imports.json_input import json_object
from metrics.imports.reading import Table, open_table
from metrics.imports.sources import applying
from metrics.imports.sources.declaring import Source
from metrics.models import DataImport

# The preview lists names from the whole file up to this many rows (a year of a small
# company's transactions is a few thousand); the rest is not read.
LISTING_ROWS = 100_000


class SettleProblem(ValueError):
    """Values that cannot be used; the message says why."""


@dataclass(frozen=True)
class Family:
    """The things of one kind a member settles: which sources name them, where the
    confirmed values are kept and how one sent value is checked."""

    sources: frozenset[str]
    model: type[models.Model]   # one row per (source, name): name_field, value_field, confirmed_by
    name_field: str
    value_field: str
    record_field: str           # the DataImport field keeping the values sent with an import
    known: Callable[..., Any]   # (given=, confirmed=, confirmed_how=) -> the family's known object
    reader: Callable[[Any], Source]   # the source's declaration applying a known object
    current: Callable[[Any, str], tuple[Any, bool]]   # (known, name) -> (value, settled?)
    check: Callable[[str, Any], Any]  # (name, value sent) -> the value kept; raises SettleProblem
    shape: str                  # how the values are written, for messages
    other_source: str           # the message when the file is not read as one of ``sources``
    key: Callable[[str], str] = str.strip   # how names compare

    def names_in(self, source: str) -> bool:
        return source in self.sources

    def parse(self, raw, source: str) -> dict:
        """Values from the API (JSON text or an object) or a form; {} for none."""
        raw = json_object(raw, SettleProblem(self.shape))
        if raw is None:
            return {}
        if not self.names_in(source):
            raise SettleProblem(self.other_source)
        values = {}
        for name, value in raw.items():
            if not str(name).strip():
                raise SettleProblem(f"“{name}”: {self.shape}")
            values[str(name).strip()] = self.check(str(name), value)
        return values

    def confirmed(self, source: str, given: dict | None = None):
        """``given`` over the tenant's confirmed values for ``source``'s names."""
        saved = self.model.objects.filter(source=source).select_related("confirmed_by")
        return self.known(given=dict(given or {}),
                          confirmed={getattr(item, self.name_field): getattr(item, self.value_field)
                                     for item in saved},
                          confirmed_how={getattr(item, self.name_field): _how(item) for item in saved})

    def meaningful(self, source: str, given: dict) -> dict:
        """The values that say something: not those equal to the name's current value
        (confirmed, or the source's own guess), unless nothing settled it yet. A page
        that sends every select records only what the person changed or settled."""
        if not given:
            return {}
        known = self.confirmed(source)
        kept = {}
        for name, value in given.items():
            current, settled = self.current(known, name)
            if value != current or not settled:
                kept[name] = value
        return kept

    def apply(self, source: str, table: Table, known) -> tuple[Table, list[str]]:
        """``table`` read as ``source``, its names taking ``known``."""
        if known is not None and self.names_in(source):
            return applying.apply(self.reader(known), table)
        return sources.apply(source, table)

    def for_import(self, record: DataImport):
        """The values an import's task applies: those sent with it over the confirmed
        ones (None when its source names none of this family's things)."""
        if not self.names_in(record.source):
            return None
        return self.confirmed(record.source, getattr(record, self.record_field))

    def remember(self, record: DataImport, known) -> None:
        """Called by the import's task when the import succeeded (inside its
        transaction): the values sent with it, for names the file has, become the
        tenant's confirmed ones, applied at the next imports without asking again."""
        found = {self.key(name): name for name in known.found}
        saved = {self.key(getattr(item, self.name_field)): item
                 for item in self.model.objects.filter(source=record.source)}
        for name, value in getattr(record, self.record_field).items():
            if self.key(name) not in found:
                continue
            existing = saved.get(self.key(name))
            if existing is None:
                self.model.objects.create(source=record.source, confirmed_by=record.created_by,
                                          **{self.name_field: found[self.key(name)], self.value_field: value})
            elif getattr(existing, self.value_field) != value:
                setattr(existing, self.value_field, value)
                existing.confirmed_by = record.created_by
                existing.save(update_fields=[self.value_field, "confirmed_by", "updated_at"])


def _how(saved) -> str:
    who = f" by {saved.confirmed_by.email}" if saved.confirmed_by_id and saved.confirmed_by.email else ""
    return f"confirmed{who} on {saved.updated_at:%Y-%m-%d}"


def scan(file: BinaryIO, *, name: str, count: Callable[[Table, int], tuple[Counter, bool]]
         ) -> tuple[Counter, bool]:
    """``count`` run over the whole upload (up to ``LISTING_ROWS`` rows), not only the
    preview's head; the upload is left at its start for the caller."""
    file.seek(0)
    try:
        return count(open_table(io.BufferedReader(_Borrowed(file)), name=name), LISTING_ROWS)
    finally:
        file.seek(0)


class _Borrowed(io.RawIOBase):
    """The upload, read through a stream whose closing leaves it open: the reader's
    text wrapper closes what it wraps when it is dropped, and the preview's caller
    still has the upload to keep or import."""

    def __init__(self, file: BinaryIO):
        self._file = file

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._file.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()
