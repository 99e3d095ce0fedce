"""The categories of a report's accounts (QuickBooks' transaction detail by account),
settled once per tenant (settled.py; docs/decisions.md, "QuickBooks accounts").

A choice is ``{"<account>": "<category>"}`` with an expense category or
``leave_out`` (the account holds no expenses). Choices sent with an import are
applied over the confirmed ones, which are applied over the source's account map.
Account names compare trimmed and case-insensitively.
"""

from __future__ import annotations

from typing import BinaryIO

from metrics.imports import settled
from metrics.imports.sources import quickbooks
from metrics.models import AccountCategory

CHOICES = (*quickbooks.CATEGORIES, quickbooks.LEAVE_OUT)
LABELS = {**{category: category for category in quickbooks.CATEGORIES},
          quickbooks.LEAVE_OUT: "not an expense: leave out"}
# Where an account's category comes from, as the preview says it.
FROM = {"given": "chosen", "confirmed": "confirmed", quickbooks.KNOWN: "account map",
        quickbooks.NOT_EXPENSE_NAME: quickbooks.NOT_EXPENSE_NAME, quickbooks.UNRECOGNISED: quickbooks.UNRECOGNISED}

_SHAPE = (f'Categories are a JSON object: {{"<account>": "<category>"}}, the category one of '
          f"{', '.join(CHOICES)} ({quickbooks.LEAVE_OUT}: the account holds no expenses).")


def _check(account: str, category) -> str:
    if not isinstance(category, str) or category not in CHOICES:
        raise settled.SettleProblem(f"“{account}”: {_SHAPE}")
    return category


def _current(choices: quickbooks.Choices, account: str) -> tuple[str, bool]:
    category, how = choices.category(account)
    return category, how != quickbooks.UNRECOGNISED


CATEGORIES = settled.Family(
    sources=frozenset({quickbooks.QUICKBOOKS_TRANSACTION_DETAIL.key}), model=AccountCategory,
    name_field="account", value_field="category", record_field="account_categories",
    known=quickbooks.Choices, reader=quickbooks.with_choices, current=_current, check=_check, shape=_SHAPE,
    other_source=("Categories are chosen for the accounts of a QuickBooks Online transaction detail report; "
                  "this file is not read as one."),
    key=lambda account: account.strip().lower())


def listing(file: BinaryIO, *, name: str, choices: quickbooks.Choices) -> tuple[list[dict], list[str]]:
    """The report's accounts as the preview lists them (in the report's order: each
    with its rows, the category it will get, where that comes from, and the account
    map's own guess), and the notes on the listing."""
    found, complete = settled.scan(file, name=name, count=quickbooks.accounts_in)
    items = []
    for account, rows in found.items():
        category, how = choices.category(account)
        guessed, _ = quickbooks.guess(account)
        items.append({"account": account, "rows": rows, "category": category, "from": FROM[how],
                      "guess": guessed, "confirmed": choices.how_confirmed(account)})
    notes = [] if complete else [(
        f"The accounts are listed from the report's first {settled.LISTING_ROWS:,} rows (it has more): an "
        f"account found only further down gets its confirmed category, or the account map's.")]
    return items, notes
