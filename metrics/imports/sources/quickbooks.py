"""QuickBooks Online: the Transaction Detail by Account report, exported as CSV or
XLSX, as expenses (docs/sources.md).

The report is laid out for reading, not for loading: the report's title, the company
and the period come before the header; each account is a section whose name stands
alone in the first (unnamed) column, its transactions follow, then a "Total for
<account>" row; a grand "TOTAL" and a footer (basis, time of the run) end it. The
reader skips the title lines, the total rows and the section labels, and keeps the
latest label, which is the account of the rows under it (``Row.section``).

Its layout (a subtotal per account, Amount as the debit with credits negative, Split
as the opposing account) is also described in a QuickBooks guide cited in
docs/sources.md (not listed on the declaration: that page is served over http only).

The report has no account types, so an account's category comes from its name:
the default QuickBooks chart of accounts' expense accounts are mapped; accounts
whose name says they are not expenses (bank, receivable, payable, income, equity)
are dropped; any other account is imported as ``other`` and named in a note. The
preview lists the report's accounts with the category each will get, and a person
may choose another (or leave an account out); the choices sent with an import are
applied over the account map, and the tenant's confirmed choices at the next imports
(metrics/imports/accounts.py).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from metrics.imports.reading import Table, normalise_header
from metrics.imports.sources.declaring import Doc, Drop, Row, Source, Take
from metrics.imports.sources.values import money_text, number

REPORT_ROWS = Doc("https://glama.ai/mcp/connectors/com.caribooks/quickbooks/tools/get_transaction_detail_by_account",
                  "get transaction detail by account (a QuickBooks Online reports connector)",
                  "the report's rows are sections (an account), data rows and totals; its columns "
                  "tx_date, txn_type, doc_num, name, memo, account_name, other_account (Split)")
REPORTS_API = Doc("https://developer.intuit.com/app/developer/qbo/docs/workflows/run-reports",
                  "Run reports (QuickBooks Online Reports API)",
                  "reports divided into sections per account, a subtotal row per section, accounts "
                  "without data left out; the report's header names the period and basis")
COLUMN_TITLES = Doc("https://pastebin.com/73mCEGPZ", "A QuickBooks Online detail report as the API returns it",
                    "the column titles Date, Transaction Type, Num, Name, ... of QuickBooks Online's "
                    "transaction detail reports")

# Account name (lower case; a sub-account's own name after its "Parent:") -> category.
# The expense accounts of QuickBooks Online's default charts of accounts.
ACCOUNT_CATEGORY = {
    "advertising": "marketing", "advertising & marketing": "marketing", "marketing": "marketing",
    "promotional": "marketing", "advertising/promotional": "marketing",
    "commissions & fees": "sales", "commissions": "sales", "sales commissions": "sales",
    "cost of goods sold": "cogs", "cost of sales": "cogs", "supplies & materials - cogs": "cogs",
    "shipping, freight & delivery - cos": "cogs", "cost of labor - cos": "cogs", "purchases": "cogs",
    "rent or lease": "operating", "rent & lease": "operating", "rent": "operating",
    "utilities": "operating", "insurance": "operating", "office expenses": "operating",
    "office supplies & software": "operating", "legal & professional fees": "operating",
    "bank charges": "operating", "bank charges & fees": "operating", "dues & subscriptions": "operating",
    "payroll expenses": "operating", "wages": "operating", "taxes & licenses": "operating",
    "repairs & maintenance": "operating", "maintenance and repair": "operating", "travel": "operating",
    "meals and entertainment": "operating", "meals & entertainment": "operating",
    "automobile": "operating", "car & truck": "operating", "equipment rental": "operating",
    "contractors": "operating", "job supplies": "operating", "supplies": "operating",
    "interest expense": "other", "other miscellaneous expense": "other",
    "uncategorized expense": "other", "ask my accountant": "other",
}
# Words in an account's name that say it is no expense (balance sheet or income), and
# the default chart's income accounts whose names do not say so.
NOT_EXPENSE = re.compile(
    r"\b(checking|savings|bank account|receivable|payable|undeposited|inventory asset|equity|"
    r"retained earnings|income|revenue|loan|credit card|mastercard|visa|amex|liabilit|prepaid|"
    r"opening balance)", re.IGNORECASE)
INCOME_ACCOUNTS = {"sales", "services", "discounts given", "refunds-allowances", "fees billed"}
AMOUNT = "Amount"


LEAVE_OUT = "leave_out"     # a choice for an account: it holds no expenses, its rows are left out
CATEGORIES = ("marketing", "sales", "cogs", "operating", "other")
# Why an account gets its category when nobody chose one.
KNOWN, NOT_EXPENSE_NAME, UNRECOGNISED = "known", "not an expense by its name", "not recognised"


def _account(row: Row) -> str:
    return row.section.strip()


def _own_name(account: str) -> str:
    return account.rsplit(":", 1)[-1].strip().lower()


def guess(account: str) -> tuple[str, str]:
    """The category the account map gives an account (LEAVE_OUT for one whose name
    says it is no expense), and why."""
    known = ACCOUNT_CATEGORY.get(account.strip().lower()) or ACCOUNT_CATEGORY.get(_own_name(account))
    if known:
        return known, KNOWN
    if _own_name(account) in INCOME_ACCOUNTS or NOT_EXPENSE.search(account):
        return LEAVE_OUT, NOT_EXPENSE_NAME
    return "other", UNRECOGNISED


@dataclass
class Choices:
    """The categories people chose for accounts, for one import or preview: those
    sent with it (``given``), over those the tenant confirmed before (``confirmed``;
    ``confirmed_how`` says by whom and when). Account -> category, or LEAVE_OUT;
    names compare trimmed and case-insensitively. ``found`` is set, once the file has
    been read, to the dated rows of each account."""

    given: dict[str, str] = field(default_factory=dict)
    confirmed: dict[str, str] = field(default_factory=dict)
    confirmed_how: dict[str, str] = field(default_factory=dict)
    found: Counter = field(default_factory=Counter)

    def category(self, account: str) -> tuple[str, str]:
        """(category or LEAVE_OUT, where it comes from: "given", "confirmed", or the
        account map's reason)."""
        key = _key(account)
        for how, chosen in (("given", self.given), ("confirmed", self.confirmed)):
            for name, category in chosen.items():
                if _key(name) == key:
                    return category, how
        return guess(account)

    def how_confirmed(self, account: str) -> str:
        return next((how for name, how in self.confirmed_how.items() if _key(name) == _key(account)), "")


def _key(account: str) -> str:
    return account.strip().lower()


def _credit(row: Row) -> bool:
    amount = number(row.get(AMOUNT))
    if amount is not None and amount < 0:
        row.counts[("credit total",)] += -amount
        return True
    return False


def _date_key(text: str) -> str:
    """A date's parts in an order that does not depend on the layout: an export may be
    re-run as XLSX (ISO dates) after CSV (01/05/2024, month or day first by the
    company's locale), and its rows must keep their ids."""
    parts = re.findall(r"\d+", text)
    if len(parts) != 3:
        return text
    year = next((index for index, part in enumerate(parts) if len(part) == 4), 2)
    rest = sorted(int(part) for index, part in enumerate(parts) if index != year)
    return f"{parts[year]}:{rest[0]}:{rest[1]}"


def _expense_id(row: Row) -> str:
    """The report gives no line id: one is made from what identifies the line (its
    account, date, type, number, name, memo and amount), and the count of identical
    lines before it, so two equal charges on one day stay two expenses and a re-run
    of the report (CSV or XLSX) gives each line the same id again."""
    amount = number(row.get(AMOUNT))
    identity = "|".join([_account(row), _date_key(row.get("Date")), row.get("Transaction Type"),
                         row.get("Num"), row.get("Name"), row.get("Memo/Description", "Memo"),
                         money_text(amount) if amount is not None else row.get(AMOUNT)])
    row.counts[("line", identity)] += 1
    occurrence = row.counts[("line", identity)]
    return "qbo-" + hashlib.sha1(f"{identity}|{occurrence}".encode()).hexdigest()[:16]


def _description(row: Row) -> str:
    name, memo = row.get("Name"), row.get("Memo/Description", "Memo")
    text = f"{_account(row)}: {name}" if name else _account(row)
    return (f"{text} — {memo}" if memo else text)[:500]


def _listed(items) -> str:
    return ", ".join(f"{account} ({n:,})" for account, n in items)


def _remarks(counts: Counter, choices: Choices | None) -> list[str]:
    notes = []
    used: dict[str, Counter] = {}
    for key, n in counts.items():
        if key[0] == "account":
            used.setdefault(key[2], Counter())[key[1]] += n
    if used:
        notes.append("Accounts read as categories (rows): " + "; ".join(
            f"{category}: " + _listed(sorted(accounts.items())) for category, accounts in sorted(used.items())) + ".")
    unmapped = sorted((key[1], n) for key, n in counts.items() if key[0] == "unmapped")
    if unmapped:
        listed = ", ".join(f"{account} ({n:,} row{'s' if n > 1 else ''})" for account, n in unmapped)
        notes.append(f"{len(unmapped)} account{'s were' if len(unmapped) > 1 else ' was'} not recognised and "
                     f"imported as category other: {listed}. "
                     f"Choose their categories in the import's preview (or send categories with the import): "
                     f"the choice is remembered for the next imports.")
    left_out = sorted((key[1], n) for key, n in counts.items() if key[0] == "not expense")
    if left_out:
        notes.append("Accounts left out as not expenses (rows): " + _listed(left_out) + ".")
    notes += _chosen_notes(counts, choices)
    credit = counts[("credit total",)]
    if credit:
        notes.append(f"Credits (negative amounts) total {money_text(Decimal(credit))} and were not imported: an "
                     f"expense cannot be negative, so those months' expenses are that much higher than the "
                     f"report's net.")
    return notes


def _chosen_notes(counts: Counter, choices: Choices | None) -> list[str]:
    notes = []
    chosen = [(key, n) for key, n in counts.items() if key[0] == "chosen"]
    for how, said in (("given", "Accounts read as the categories chosen with this import (rows)"),
                      ("confirmed", "Accounts read as the categories confirmed at an earlier import (rows)")):
        listed = sorted((key[1], key[2], n) for key, n in chosen if key[3] == how)
        parts = []
        for account, category, n in listed:
            as_what = "not an expense, left out" if category == LEAVE_OUT else category
            who = choices.how_confirmed(account) if how == "confirmed" and choices is not None else ""
            parts.append(f"{account} ({n:,}) as {as_what}" + (f", {who}" if who else ""))
        if parts:
            notes.append(f"{said}: " + "; ".join(parts) + ".")
    if choices is not None and choices.given:
        found = {_key(key[1]) for key in counts if key[0] == "found"}
        absent = sorted(account for account in choices.given if _key(account) not in found)
        if absent:
            notes.append("Categories were sent for accounts this report has no rows of (not remembered): "
                         + ", ".join(absent) + ".")
    return notes


def _declaration(choices: Choices | None) -> Source:
    """The report's declaration; with ``choices``, an account takes the category
    chosen for it before the account map's."""
    def category_of(account: str) -> tuple[str, str]:
        return choices.category(account) if choices is not None else guess(account)

    def not_an_expense(row: Row) -> bool:
        account = _account(row)
        row.counts[("found", account)] += 1
        category, how = category_of(account)
        if category != LEAVE_OUT:
            return False
        if how == NOT_EXPENSE_NAME:
            row.count("not expense", account)
        else:
            row.count("chosen", account, category, how)
        return True

    def category(row: Row) -> str:
        account = _account(row)
        category, how = category_of(account)
        if how == UNRECOGNISED:
            row.count("unmapped", account)
        elif how == KNOWN:
            row.count("account", account, category)
        else:
            row.count("chosen", account, category, how)
        return category

    def remarks(counts: Counter) -> list[str]:
        if choices is not None:
            choices.found = Counter({key[1]: n for key, n in counts.items() if key[0] == "found"})
        return _remarks(counts, choices)

    return Source(
        key="quickbooks_transaction_detail", name="QuickBooks Online transaction detail by account report",
        vendor="QuickBooks Online", kind="expenses",
        documentation=(REPORT_ROWS, REPORTS_API, COLUMN_TITLES),
        recognise=("Date", "Transaction Type", "Name", ("Memo/Description", "Memo"), "Split", "Amount"),
        title_lines=4,
        takes=(
            Take("expense_id", "made from the line's account, date, type, number, name, memo and amount (the "
                 "report has no line id)", _expense_id),
            Take("date", "Date (month or day first, as the company's QuickBooks writes it)",
                 lambda row: row.get("Date")),
            Take("category", "the account (the section the row is under): the category chosen for it (in the "
                 "preview, or confirmed at an earlier import), else through the account map; other when the "
                 "account is not in it", category),
            Take("amount", "Amount", lambda row: row.get(AMOUNT)),
            Take("description", "the account, Name and Memo/Description", _description),
        ),
        drops=(
            Drop("rows without a date", lambda row: not row.get("Date"),
                 "a beginning balance or a label is not a transaction"),
            Drop("rows of accounts that are not expenses", not_an_expense,
                 "bank, card, receivable, payable, equity and income accounts (by their name, or as chosen) "
                 "hold no costs"),
            Drop("credits", _credit, "an expense cannot be negative (their total is in a note)"),
        ),
        maps={"account": ACCOUNT_CATEGORY},
        remarks=remarks,
    )


def with_choices(choices: Choices) -> Source:
    """The report's declaration for one import or preview: accounts take the
    categories chosen for them, and ``choices.found`` gets the file's accounts once
    it has been read."""
    return _declaration(choices)


def accounts_in(table: Table, limit: int) -> tuple[Counter, bool]:
    """The accounts (sections) of the report with their dated rows, from its first
    ``limit`` rows, and whether that was the whole report. The reader's rows only
    (no source, no checking): a listing for the person choosing categories."""
    names = {normalise_header(cell): index for index, cell in enumerate(table.header)}
    position = names.get("date")
    found: Counter = Counter()
    if position is None:
        return found, True
    for read, (_, cells) in enumerate(table.rows):
        if read >= limit:
            return found, False
        if position < len(cells) and cells[position].strip():
            found[table.skipped.section.strip()] += 1
    return found, True


QUICKBOOKS_TRANSACTION_DETAIL = _declaration(None)
