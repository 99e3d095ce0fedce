"""Mapping any file onto a kind (data-contract.md, "Mapping"), and the mappings a
tenant confirmed, remembered per header.

A mapping is ``{"<kind column>": "<file column>" | {"value": "<constant>"} | null}``:
the kind's column takes that file column's cells, the same constant on every row, or
nothing (its default). A kind column the mapping does not name takes the file column
of its own name, as without a mapping, so a mapping only says what differs. With a
source (a vendor export), the "file columns" are the columns the source gives (the
kind's own names): a mapping then sets constants or leaves columns out.

Applying one is a streaming transform of the table, like a source: when it only
renames and picks columns, the header is renamed and the rows (and the plain-CSV
``COPY`` path) are kept as they are; with a constant, or a file column used twice,
rows are rebuilt one by one.

Suggestions for each kind column come, in this order, from the tenant's remembered
mapping for the header, the column of the same name, the vendor columns the source
declarations copy into it, and common synonyms.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cache

from metrics.imports.excerpts import excerpt
from metrics.imports.json_input import json_object
from metrics.imports.kinds import KINDS, Kind
from metrics.imports.reading import FileProblem, Table, normalise_header
from metrics.imports.sources import SOURCES
from metrics.imports.sources.declaring import Row
from metrics.models import DataImport, SavedMapping

CONSTANT = "value"
SUGGESTIONS = 3

# Names other tools and people give the kinds' columns (compared normalised).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "customer_id": ("customer", "customer id", "client", "client id", "account", "account id",
                    "customer number", "cust id", "user id"),
    "subscription_id": ("subscription", "subscription id", "sub id", "contract id", "id"),
    "invoice_id": ("invoice", "invoice number", "invoice no", "invoice #", "number", "order", "order id",
                   "order number", "transaction id", "id"),
    "expense_id": ("expense", "transaction id", "id"),
    "lead_id": ("lead", "contact id", "record id", "id"),
    "ticket_id": ("ticket", "ticket number", "id"),
    "response_id": ("response", "submission id", "respondent id", "id"),
    "name": ("customer name", "company", "company name", "full name", "client name"),
    "email": ("e-mail", "email address", "customer email", "contact email"),
    "signup_date": ("created", "created at", "created date", "signup", "sign up date", "joined",
                    "registration date"),
    "channel": ("source", "acquisition channel", "utm source", "medium", "default channel group",
                "session default channel group"),
    "country": ("country code", "billing country"),
    "segment": ("industry", "tier", "plan family"),
    "plan": ("plan name", "product", "tier"),
    "amount": ("total", "price", "value", "net", "net amount", "mrr", "sum", "amount due", "subtotal"),
    "currency": ("currency code", "curr", "ccy"),
    "interval": ("billing interval", "billing period", "period", "frequency", "billing cycle"),
    "quantity": ("qty", "seats", "units", "licenses"),
    "start_date": ("start", "started", "started at", "start at", "begin", "activated at", "created"),
    "end_date": ("end", "ended", "ended at", "canceled at", "cancelled at", "churn date", "end at"),
    "date": ("day", "invoice date", "issued", "issue date", "transaction date", "created", "created at", "paid at",
             "posting date", "txn date"),
    "status": ("state", "payment status", "financial status"),
    "category": ("type", "expense type", "expense category"),
    "description": ("memo", "note", "notes", "details", "payee"),
    "visits": ("sessions", "visitors"),
    "unique_visitors": ("users", "total users", "unique users"),
    "pageviews": ("views", "page views", "screen page views"),
    "bounces": ("bounced sessions",),
    "conversions": ("goal completions", "key events", "signups", "transactions"),
    "created_date": ("created", "created at", "create date", "date"),
    "qualified": ("is qualified", "mql"),
    "converted_date": ("converted", "converted at", "became a customer date", "won date", "close date"),
    "opened_at": ("created", "created at", "opened", "submitted at", "requested"),
    "first_response_at": ("first reply", "first replied at", "first response"),
    "resolved_at": ("resolved", "solved at", "closed at", "closed"),
    "priority": ("urgency", "severity"),
    "survey_type": ("type", "survey"),
    "score": ("rating", "nps", "nps score", "csat", "answer"),
    "responded_at": ("submitted at", "submitted", "response date", "date", "created"),
    "comment": ("comments", "feedback", "reason", "why", "text"),
    "metric": ("kpi", "metric name", "name"),
    "value": ("figure", "number", "total", "amount"),
    "month": ("period", "date"),
    "rate": ("exchange rate", "fx rate"),
}


class MappingProblem(ValueError):
    """A mapping that cannot be applied to this kind and file; the message says why."""


# --- Reading and checking a mapping ---------------------------------------------------------------

def parse(raw) -> dict:
    """A mapping from the API (JSON text or an object) or a form; {} for none."""
    raw = json_object(raw, MappingProblem(_SHAPE))
    if raw is None:
        return {}
    mapping = {}
    for column, target in raw.items():
        if isinstance(target, dict) and set(target) == {CONSTANT} and isinstance(target[CONSTANT], (str, int, float)):
            target = {CONSTANT: str(target[CONSTANT])}
        elif target is not None and not isinstance(target, str):
            raise MappingProblem(f"{column}: {_SHAPE}")
        mapping[str(column)] = target
    return mapping


_SHAPE = ('A mapping is a JSON object: {"<kind column>": "<file column>", or {"value": "<constant>"}, '
          "or null for nothing}.")


def check(kind: Kind, mapping: dict, header: list[str]) -> list[str]:
    """What is wrong with ``mapping`` for ``kind`` and a file with ``header`` (empty:
    nothing)."""
    problems = []
    names = {normalise_header(cell) for cell in header}
    for column, target in mapping.items():
        if column not in kind.column_names:
            problems.append(f"“{excerpt(column)}” is not a column of {kind.name} (its columns: "
                            f"{', '.join(kind.column_names)}).")
        elif isinstance(target, str) and normalise_header(target) not in names:
            shown = ", ".join(f"“{excerpt(str(cell))}”" for cell in header if str(cell).strip())
            problems.append(f"{column}: the file has no column “{excerpt(target)}” (its columns: {shown}).")
    return problems


def effective(kind: Kind, mapping: dict, header: list[str]) -> dict:
    """Every column of the kind with where it comes from: the mapping's entry, else
    the file column of the same name, else nothing (None)."""
    names = {normalise_header(cell): str(cell).strip() for cell in reversed(header) if normalise_header(cell)}
    return {column.name: (mapping[column.name] if column.name in mapping else names.get(column.name))
            for column in kind.columns}


def is_plain(kind: Kind, mapping: dict, header: list[str]) -> bool:
    """Whether ``mapping`` does nothing an import without one would not do."""
    return effective(kind, mapping, header) == effective(kind, {}, header)


def describe(kind: Kind, mapping: dict) -> str:
    parts = []
    for column in kind.columns:
        if column.name not in mapping:
            continue
        target = mapping[column.name]
        if target is None:
            parts.append(f"{column.name}: nothing")
        elif isinstance(target, dict):
            parts.append(f"{column.name} = “{excerpt(str(target[CONSTANT]))}” on every row")
        else:
            parts.append(f"{column.name} from “{excerpt(str(target))}”")
    return "; ".join(parts)


# --- Applying -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Plan:
    columns: list[str]                    # kind columns given a value, in declaration order
    positions: list[int | None]           # the file column each takes, None for a constant
    constants: list[str]
    unused: list[str]                     # file columns nothing takes


def _plan(kind: Kind, mapping: dict, header: list[str]) -> _Plan:
    index: dict[str, int] = {}
    for position, cell in enumerate(header):
        index.setdefault(normalise_header(cell), position)
    columns, positions, constants = [], [], []
    for column, target in effective(kind, mapping, header).items():
        if target is None:
            continue
        columns.append(column)
        if isinstance(target, dict):
            positions.append(None)
            constants.append(target[CONSTANT])
        else:
            position = index.get(normalise_header(target))
            if position is None:
                raise FileProblem(f"The mapping takes {column} from the column “{excerpt(target)}”, which this file "
                                  f"does not have.")
            positions.append(position)
            constants.append("")
    used = set(positions)
    unused = [str(cell).strip() for position, cell in enumerate(header)
              if position not in used and str(cell).strip()]
    return _Plan(columns, positions, constants, unused)


def apply(kind: Kind, mapping: dict, table: Table) -> tuple[Table, list[str]]:
    """``table`` with the kind's columns taken as ``mapping`` says, and the notes that
    say so. Raises FileProblem when a mapped file column is missing."""
    plan = _plan(kind, mapping, table.header)
    notes = [f"Mapped the columns: {describe(kind, mapping)}."] if mapping else []
    if plan.unused:
        notes.append(f"Not imported (no column of {kind.name} takes {'them' if len(plan.unused) > 1 else 'it'}): "
                     f"{', '.join(f'“{excerpt(name)}”' for name in plan.unused)}.")
    taken = [position for position in plan.positions if position is not None]
    if len(taken) == len(plan.positions) and len(set(taken)) == len(taken):
        # Only renames: the same rows under a new header (blank names are left out).
        names = dict(zip(plan.positions, plan.columns))
        header = [names.get(position, "") for position in range(len(table.header))]
        return replace(table, header=header), notes
    return replace(table, header=plan.columns, rows=_rows(plan, table.rows), plain=None,
                   trimmed=table.trimmed and all(constant == constant.strip() for constant in plan.constants)), notes


def _rows(plan: _Plan, rows: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    picks = list(zip(plan.positions, plan.constants))
    for line, cells in rows:
        count = len(cells)
        yield line, [constant if position is None else (cells[position] if position < count else "")
                     for position, constant in picks]


# --- Remembered mappings ------------------------------------------------------------------------

def header_key(header: list[str]) -> str:
    """The sha256 of the normalised header: the same columns in the same order,
    however they are spelled in case and spacing."""
    names = [normalise_header(cell) for cell in header]
    return hashlib.sha256(json.dumps(names).encode()).hexdigest()


def remembered(kind: str, header: list[str], source: str = "") -> SavedMapping | None:
    """The tenant's confirmed mapping for this header read as ``kind`` and ``source``."""
    return SavedMapping.objects.filter(kind=kind, header_key=header_key(header), source=source).first()


def remembered_kinds(header: list[str]) -> list[str]:
    """The kinds the tenant has a confirmed mapping for this header as (no source)."""
    return sorted(SavedMapping.objects.filter(header_key=header_key(header), source="")
                  .values_list("kind", flat=True))


def remember(record: DataImport, header: list[str]) -> None:
    """Called by the import's task when an import with a mapping succeeded (inside its
    transaction): the mapping is offered, and applied by default, the next time."""
    saved = SavedMapping.objects.filter(kind=record.kind, header_key=header_key(header)).first()
    if saved is not None and saved.mapping == record.mapping and saved.source == record.source:
        return  # applied from memory, or confirmed again as it was
    SavedMapping.objects.update_or_create(
        kind=record.kind, header_key=header_key(header),
        defaults={"header": [str(cell) for cell in header], "source": record.source,
                  "mapping": record.mapping, "confirmed_by": record.created_by})


def confirmed(saved: SavedMapping) -> str:
    """``confirmed by ann@example.com on 2024-05-01``."""
    who = f" by {saved.confirmed_by.email}" if saved.confirmed_by_id and saved.confirmed_by.email else ""
    return f"confirmed{who} on {saved.updated_at:%Y-%m-%d}"


def remembered_note(saved: SavedMapping, kind: Kind) -> str:
    return (f"No mapping was given, so the one {confirmed(saved)} for this header was applied "
            f"({describe(kind, saved.mapping) or 'the columns as named'}). Send a mapping to change it.")


def for_import(record: DataImport, kind: Kind, table: Table, header: list[str]) -> tuple[Table, list[str]]:
    """The import's table through its mapping: the one it was given, else the one the
    tenant confirmed for this header (then recorded on the import, with a note)."""
    notes = []
    if not record.mapping and record.origin == DataImport.Origin.UPLOAD:
        saved = remembered(record.kind, header, record.source)
        if saved is not None and saved.mapping:
            record.mapping = saved.mapping
            record.save(update_fields=["mapping"])
            notes.append(remembered_note(saved, kind))
    if not record.mapping:
        return table, notes
    table, mapped = apply(kind, record.mapping, table)
    return table, notes + mapped


# --- Suggestions --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Suggestion:
    column: str     # the file column, as the file writes it
    why: str


def suggestions(kind: Kind, header: list[str], saved: SavedMapping | None = None) -> dict[str, list[Suggestion]]:
    """Up to three file columns for each column of the kind, the likeliest first."""
    cells = {}
    for cell in header:
        name = normalise_header(cell)
        if name:
            cells.setdefault(name, str(cell).strip())
    found: dict[str, list[Suggestion]] = {}
    for column in kind.columns:
        offered: dict[str, str] = {}
        target = (saved.mapping if saved else {}).get(column.name)
        if isinstance(target, str) and normalise_header(target) in cells:
            offered[cells[normalise_header(target)]] = "remembered for this header"
        if column.name in cells:
            offered.setdefault(cells[column.name], "same name")
        for vendor_column, source_name in vendor_names(kind.name).get(column.name, ()):
            if normalise_header(vendor_column) in cells:
                offered.setdefault(cells[normalise_header(vendor_column)], f"as the {source_name} names it")
        for synonym in SYNONYMS.get(column.name, ()):
            if normalise_header(synonym) in cells:
                offered.setdefault(cells[normalise_header(synonym)], "a common name for it")
        found[column.name] = [Suggestion(name, why) for name, why in list(offered.items())[:SUGGESTIONS]]
    return found


def proposed(kind: Kind, header: list[str], saved: SavedMapping | None = None) -> dict:
    """The mapping to start from: the remembered one; else, for each kind column the
    file has no column of that name for, its first suggestion not taken already."""
    if saved is not None and saved.mapping:
        return dict(saved.mapping)
    plain = effective(kind, {}, header)
    taken = {normalise_header(target) for target in plain.values() if isinstance(target, str)}
    mapping = {}
    for column, offered in suggestions(kind, header).items():
        if plain[column] is not None:
            continue
        choice = next((item.column for item in offered if normalise_header(item.column) not in taken), None)
        if choice is not None:
            mapping[column] = choice
            taken.add(normalise_header(choice))
    return mapping


def guess_kind(header: list[str]) -> str | None:
    """The kind whose required columns the header has (by name or suggestion), the
    one with the most columns found; None when no kind has them all, or only one
    column is found (one column says too little about a file)."""
    best, best_score = None, 0
    for kind in KINDS.values():
        offered = suggestions(kind, header)
        found = [items for items in offered.values() if items]
        if len(found) < 2 or not all(offered[name] for name in kind.required):
            continue
        score = sum(2 if items[0].why == "same name" else 1 for items in found)
        if score > best_score:
            best, best_score = kind.name, score
    return best


class _Probe(Row):
    """A row whose every cell is a distinct date-like token, to see which vendor
    column a source copies into each kind column."""

    __slots__ = ("asked",)

    def __init__(self):
        super().__init__({}, [], 0, Counter())
        self.asked: dict[str, str] = {}

    def get(self, *names: str) -> str:
        name = names[0]
        return self.asked.setdefault(name, f"{2001 + len(self.asked)}-01-02 03:04:05")

    def has(self, name: str) -> bool:
        return True


@cache
def vendor_names(kind: str) -> dict[str, tuple[tuple[str, str], ...]]:
    """For each kind column, the (vendor column, source name) pairs the declared
    sources of ``kind`` copy into it unchanged (or as its date): derived columns
    (differences, the later of two dates) are not renames, so they suggest nothing.
    Each source's takes are run on a probe row to see what they read."""
    found: dict[str, list[tuple[str, str]]] = {}
    for source in SOURCES.values():
        if source.kind != kind:
            continue
        for take in source.takes:
            probe = _Probe()
            try:
                value = take.value(probe)
            except Exception:  # noqa: BLE001, S112 (a derivation that cannot read the probe's tokens)
                continue
            if not probe.asked:
                continue
            # A copy of the first column it reads: a choice between columns is a derivation.
            name, token = next(iter(probe.asked.items()))
            digits = re.sub(r"\D", "", str(value))
            if str(value).lower() == token.lower() or (len(digits) >= 8 and re.sub(r"\D", "", token).startswith(digits)):
                found.setdefault(take.column, []).append((name, source.name))
    return {column: tuple(pairs) for column, pairs in found.items()}
