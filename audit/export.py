"""The audit log as CSV (spreadsheet-safe cells, metrics.data.export), streamed a
thousand events at a time so memory stays flat however long the log."""

from __future__ import annotations

from collections.abc import Iterator

from audit.selectors import AuditEntry, entries

HEADER = ["time", "user", "action", "object_type", "object_id", "object", "changes", "ip", "user_agent", "via", "token"]
CHUNK = 1000


def rows(events, *, zone) -> Iterator[list]:
    start = 0
    while True:
        chunk = entries(events[start:start + CHUNK], zone=zone)
        yield from (_row(entry) for entry in chunk)
        if len(chunk) < CHUNK:
            return
        start += CHUNK


def _row(entry: AuditEntry) -> list:
    return [entry.at.isoformat(timespec="seconds"), entry.user_email, entry.action, entry.object_type,
            entry.object_id or "", entry.object, describe_changes(entry.changes), entry.ip, entry.user_agent,
            entry.via, entry.token]


def describe_changes(changes: dict) -> str:
    parts = []
    for name, value in changes.items():
        if isinstance(value, list) and len(value) == 2:
            parts.append(f"{name}: {_text(value[0])} → {_text(value[1])}")
        else:
            parts.append(f"{name}: {_text(value)}")
    return "; ".join(parts)


def _text(value) -> str:
    return "—" if value is None or value == "" else str(value)
