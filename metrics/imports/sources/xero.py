"""Xero: the Account Transactions report, exported, as expenses (docs/sources.md).

The report lists the transactions of the accounts chosen, account by account: the
report's title, the organisation and the period come before the header; each account's
name stands alone in the first column (Date), then its opening balance, its
transactions, a "Total <account>" row and its closing balance. The reader skips the
title lines and the total rows; this source skips the balances, and keeps the latest
account name as the account of the transactions under it (rows are regrouped: the
account is known only from the rows before).

Amounts are a Debit and a Credit column, in the transaction's currency ("(Source)") and
in the organisation's base currency ("(GBP)"): an expense is the debit in the base
currency, and a credit (a refund, a reversal) is dropped with its total said, as for
QuickBooks. The report has no account types, so an account's category comes from its
name: the expense accounts of Xero's default chart of accounts are mapped; accounts
whose name says they are not expenses are dropped; any other account is imported as
``other`` and named in a note.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal

from metrics.imports.sources.declaring import Doc, Drop, Row, Source, Take
from metrics.imports.sources.values import money_text, number

REPORT = Doc("https://help.xero.com/us/ReportAccountTransactions", "Account Transactions report (New) (Xero)",
             "the transactions coded to one or several accounts, a subtotal per account and a Total row; the "
             "columns to show are chosen (Account Code, Contact, ...); accrual or cash basis")
OLDER_REPORT = Doc("https://help.xero.com/us/Report_AccountTransactions",
                   "Account Transactions report (older version) (Xero)",
                   "the older report, which shows multi-currency transactions in their original currency beside "
                   "the base currency; exported from the report")

# Account name (lower case) -> category: the expense accounts of Xero's default chart of accounts.
ACCOUNT_CATEGORY = {
    "advertising": "marketing",
    "cost of goods sold": "cogs", "purchases": "cogs",
    "bank fees": "operating", "cleaning": "operating", "consulting & accounting": "operating",
    "entertainment": "operating", "freight & courier": "operating", "general expenses": "operating",
    "insurance": "operating", "legal expenses": "operating", "light, power, heating": "operating",
    "motor vehicle expenses": "operating", "office expenses": "operating", "printing & stationery": "operating",
    "rent": "operating", "repairs and maintenance": "operating", "salaries": "operating", "wages": "operating",
    "wages and salaries": "operating", "subscriptions": "operating", "telephone & internet": "operating",
    "travel - national": "operating", "travel - international": "operating",
    "depreciation": "other", "interest expense": "other",
}
# Words in an account's name that say it is no expense (balance sheet or income).
NOT_EXPENSE = re.compile(
    r"\b(bank account|savings|receivable|payable|sales|revenue|income|equity|retained earnings|owner|"
    r"gst|vat|sales tax|rounding|suspense|historical adjustment|loan|credit card|inventory|prepayment|"
    r"accrual|unpaid expense claims|wages payable|tracking transfers)", re.IGNORECASE)
BALANCES = ("opening balance", "closing balance")
BASE_DEBIT = re.compile(r"^debit_\(([a-z]{3})\)$")
TEXT_DATE = re.compile(r"^(\d{1,2}) ([A-Za-z]{3})[a-z]* (\d{4})$")
MONTHS = {name: number_ for number_, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}


def _date(text: str) -> str:
    """``15 Jan 2024`` (Xero's own layout) as ISO; any other layout as it is, for the
    import's lenient date reading (day or month first found from the column)."""
    found = TEXT_DATE.match(text.strip())
    if not found or found.group(2).lower() not in MONTHS:
        return text
    try:
        return datetime.date(int(found.group(3)), MONTHS[found.group(2).lower()], int(found.group(1))).isoformat()
    except ValueError:
        return text


def _amount_columns(row: Row) -> tuple[str, str, str]:
    """(debit column, credit column, base currency): the base currency's when the
    report has one per currency, else the plain Debit and Credit."""
    for name in row.index:
        found = BASE_DEBIT.match(name)
        if found:
            code = found.group(1)
            return f"Debit ({code.upper()})", f"Credit ({code.upper()})", code.upper()
    return "Debit", "Credit", ""


def _heading(row: Row) -> bool:
    """An account's name: alone in the first column (a transaction has amounts)."""
    cells = [cell.strip() for cell in row.cells]
    return bool(cells) and bool(cells[0]) and not any(cells[1:])


def _not_an_expense(account: str) -> bool:
    return account.lower() not in ACCOUNT_CATEGORY and bool(NOT_EXPENSE.search(account))


def _expense_id(account: str, row: Row, amount: str, counts: Counter) -> str:
    """The report has no line id: one is made from what identifies the line, and the
    count of identical lines before it, so two equal charges on one day stay two
    expenses and the same report exported again gives the same ids."""
    identity = "|".join([account, _date(row.get("Date")), row.get("Source"), row.get("Description"),
                         row.get("Reference"), amount])
    counts[("line", identity)] += 1
    return "xero-" + hashlib.sha1(f"{identity}|{counts[('line', identity)]}".encode()).hexdigest()[:16]


def _expenses(rows: Iterator[Row]) -> Iterator[tuple[int, dict[str, str]]]:
    account = ""
    for row in rows:
        counts = row.counts
        if _heading(row):
            account = row.cells[0].strip()
            continue
        if _not_an_expense(account):
            counts[("not expense", account)] += 1
            continue
        debit_column, credit_column, currency = _amount_columns(row)
        debit, credit = number(row.get(debit_column)), number(row.get(credit_column))
        if not debit and credit:
            counts[("credit total",)] += credit
            counts[("credit lines",)] += 1
            continue
        category = ACCOUNT_CATEGORY.get(account.lower())
        if category is None:
            counts[("unmapped", account)] += 1
            category = "other"
        else:
            counts[("account", account, category)] += 1
        amount = money_text(debit) if debit is not None else row.get(debit_column)
        description = row.get("Description")
        yield row.line, {
            "expense_id": _expense_id(account, row, amount, counts),
            "date": _date(row.get("Date")),
            "category": category,
            "amount": amount,
            "currency": currency,
            "description": (f"{account}: {description}" if description else account)[:500],
        }


def _remarks(counts: Counter) -> list[str]:
    notes = []
    used: dict[str, Counter] = {}
    for key, n in counts.items():
        if key[0] == "account":
            used.setdefault(key[2], Counter())[key[1]] += n
    if used:
        notes.append("Accounts read as categories (rows): " + "; ".join(
            f"{category}: " + ", ".join(f"{account} ({n:,})" for account, n in sorted(accounts.items()))
            for category, accounts in sorted(used.items())) + ".")
    unmapped = sorted((key[1], n) for key, n in counts.items() if key[0] == "unmapped")
    if unmapped:
        listed = ", ".join(f"{account} ({n:,} row{'s' if n > 1 else ''})" for account, n in unmapped)
        notes.append(f"{len(unmapped)} account{'s were' if len(unmapped) > 1 else ' was'} not recognised and "
                     f"imported as category other: {listed}. If any is not an expense, run the report for expense "
                     f"accounts only; to choose their category, import them in KPI Hub's own columns.")
    left_out = sorted((key[1], n) for key, n in counts.items() if key[0] == "not expense")
    if left_out:
        notes.append("Accounts left out as not expenses (rows): "
                     + ", ".join(f"{account} ({n:,})" for account, n in left_out) + ".")
    if counts[("credit lines",)]:
        notes.append(f"Dropped {counts[('credit lines',)]:,} credits totalling "
                     f"{money_text(Decimal(counts[('credit total',)]))}: an expense cannot be negative, so those "
                     f"months' expenses are that much higher than the report's net.")
    return notes


XERO_ACCOUNT_TRANSACTIONS = Source(
    key="xero_account_transactions", name="Xero Account Transactions report", vendor="Xero", kind="expenses",
    documentation=(REPORT, OLDER_REPORT),
    recognise=("Date", "Source", "Description", "Reference", ("Debit (Source)", "Debit"),
               ("Credit (Source)", "Credit")),
    title_lines=4,
    takes=(
        Take("expense_id", "made from the line's account, date, source, description, reference and amount (the "
             "report has no line id)", lambda row: ""),
        Take("date", "Date (Xero's 15 Jan 2024 read as a date)", lambda row: ""),
        Take("category", "the account (the name above the rows) through the account map; other when the "
             "account is not in it", lambda row: ""),
        Take("amount", "the Debit in the base currency (Debit (GBP), else Debit); credits dropped",
             lambda row: ""),
        Take("currency", "the base currency named by the Debit column (GBP in Debit (GBP))", lambda row: ""),
        Take("description", "the account and Description", lambda row: ""),
    ),
    drops=(
        Drop("opening and closing balances", lambda row: row.get("Date").lower().startswith(BALANCES),
             "a balance is not a transaction"),
    ),
    maps={"account": ACCOUNT_CATEGORY},
    regroup=_expenses,
    remarks=_remarks,
)
