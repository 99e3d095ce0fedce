"""The categories of a report's accounts (QuickBooks' transaction detail by account):
the choices sent with an import or a preview, the tenant's confirmed ones, the
preview's listing of the report's accounts, and remembering the choices when an
import succeeds (docs/decisions.md, "QuickBooks accounts").

A choice is ``{"<account>": "<category>"}`` with an expense category or
``leave_out`` (the account holds no expenses). Choices sent with an import are
applied over the confirmed ones, which are applied over the source's account map.
"""

from __future__ import annotations

import io
from typing import BinaryIO

from metrics.imports import sources
from metrics.imports.json_input import json_object
from metrics.imports.reading import Table, open_table
from metrics.imports.sources import applying, quickbooks
from metrics.models import AccountCategory, DataImport

ACCOUNT_SOURCES = {quickbooks.QUICKBOOKS_TRANSACTION_DETAIL.key}
CHOICES = (*quickbooks.CATEGORIES, quickbooks.LEAVE_OUT)
LABELS = {**{category: category for category in quickbooks.CATEGORIES},
          quickbooks.LEAVE_OUT: "not an expense: leave out"}
# The preview lists accounts from the whole report up to this many rows (a year of a
# small company's transactions is a few thousand); the rest is not read.
LISTING_ROWS = 100_000
# Where an account's category comes from, as the preview says it.
FROM = {"given": "chosen", "confirmed": "confirmed", quickbooks.KNOWN: "account map",
        quickbooks.NOT_EXPENSE_NAME: quickbooks.NOT_EXPENSE_NAME, quickbooks.UNRECOGNISED: quickbooks.UNRECOGNISED}


class CategoryProblem(ValueError):
    """Choices that cannot be used; the message says why."""


def has_accounts(source: str) -> bool:
    return source in ACCOUNT_SOURCES


def parse(raw, source: str) -> dict[str, str]:
    """Choices from the API (JSON text or an object) or a form; {} for none."""
    raw = json_object(raw, CategoryProblem(_SHAPE))
    if raw is None:
        return {}
    if not has_accounts(source):
        raise CategoryProblem("Categories are chosen for the accounts of a QuickBooks Online transaction detail "
                              "report; this file is not read as one.")
    choices = {}
    for account, category in raw.items():
        if not isinstance(category, str) or category not in CHOICES or not str(account).strip():
            raise CategoryProblem(f"“{account}”: {_SHAPE}")
        choices[str(account).strip()] = category
    return choices


_SHAPE = (f'Categories are a JSON object: {{"<account>": "<category>"}}, the category one of '
          f"{', '.join(CHOICES)} ({quickbooks.LEAVE_OUT}: the account holds no expenses).")


def confirmed(source: str, given: dict[str, str] | None = None) -> quickbooks.Choices:
    """``given`` over the tenant's confirmed categories for ``source``'s accounts."""
    saved = AccountCategory.objects.filter(source=source).select_related("confirmed_by")
    return quickbooks.Choices(given=dict(given or {}), confirmed={item.account: item.category for item in saved},
                              confirmed_how={item.account: _how(item) for item in saved})


def _how(saved: AccountCategory) -> str:
    who = f" by {saved.confirmed_by.email}" if saved.confirmed_by_id and saved.confirmed_by.email else ""
    return f"confirmed{who} on {saved.updated_at:%Y-%m-%d}"


def meaningful(source: str, given: dict[str, str]) -> dict[str, str]:
    """The choices that say something: not those equal to the account's confirmed
    category, nor, for an account nobody confirmed, to the account map's (a page that
    sends every select records only what the person changed or settled)."""
    if not given:
        return {}
    choices = confirmed(source)
    kept = {}
    for account, category in given.items():
        current, how = choices.category(account)
        if category != current or how == quickbooks.UNRECOGNISED:
            kept[account] = category
    return kept


def apply(source: str, table: Table, choices: quickbooks.Choices | None) -> tuple[Table, list[str]]:
    """``table`` read as ``source``, its accounts taking ``choices`` (when the source
    has accounts)."""
    if choices is not None and has_accounts(source):
        return applying.apply(quickbooks.with_choices(choices), table)
    return sources.apply(source, table)


def for_import(record: DataImport) -> quickbooks.Choices | None:
    """The choices an import's task applies: those sent with it over the confirmed ones."""
    if not has_accounts(record.source):
        return None
    return confirmed(record.source, record.account_categories)


def remember(record: DataImport, choices: quickbooks.Choices) -> None:
    """Called by the import's task when the import succeeded (inside its transaction):
    the choices sent with it, for accounts the report has, become the tenant's
    confirmed categories, applied at the next imports without asking again."""
    found = {account.strip().lower(): account for account in choices.found}
    saved = {item.account.strip().lower(): item for item in AccountCategory.objects.filter(source=record.source)}
    for account, category in record.account_categories.items():
        key = account.strip().lower()
        if key not in found:
            continue
        existing = saved.get(key)
        if existing is None:
            AccountCategory.objects.create(source=record.source, account=found[key], category=category,
                                           confirmed_by=record.created_by)
        elif existing.category != category:
            existing.category, existing.confirmed_by = category, record.created_by
            existing.save(update_fields=["category", "confirmed_by", "updated_at"])


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


def listing(file: BinaryIO, *, name: str, choices: quickbooks.Choices) -> tuple[list[dict], list[str]]:
    """The report's accounts as the preview lists them (in the report's order: each
    with its rows, the category it will get, where that comes from, and the account
    map's own guess), and the notes on the listing. Up to ``LISTING_ROWS`` rows of the
    whole file are read, not only the preview's head: an account is chosen once."""
    file.seek(0)
    try:
        found, complete = quickbooks.accounts_in(open_table(io.BufferedReader(_Borrowed(file)), name=name),
                                                 LISTING_ROWS)
    finally:
        file.seek(0)
    items = []
    for account, rows in found.items():
        category, how = choices.category(account)
        guessed, _ = quickbooks.guess(account)
        items.append({"account": account, "rows": rows, "category": category, "from": FROM[how],
                      "guess": guessed, "confirmed": choices.how_confirmed(account)})
    notes = [] if complete else [(
        f"The accounts are listed from the report's first {LISTING_ROWS:,} rows (it has more): an account "
        f"found only further down gets its confirmed category, or the account map's.")]
    return items, notes
