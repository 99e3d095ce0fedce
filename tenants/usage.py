"""What each company uses, for the platform admin (tenants/admin.py): rows by data kind,
its imports, the last recompute's duration, stored file bytes and last activity.

One query per company: a UNION ALL of exact counts over its schema's tables (the
platform admin reads a few companies at a time; an estimate from pg_class would say 0
for a small company's tables never analysed). The stored bytes are the size of its
media folder (kpihub/storage.py), walked on disk."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection

from metrics.imports.kinds import KINDS
from metrics.models import DataImport, KpiCoverage
from tenants.models import Tenant

IMPORTS, RECOMPUTE_MS, RECOMPUTED_AT = "_imports", "_recompute_ms", "_recomputed_at"


@dataclass(frozen=True)
class Usage:
    tenant: Tenant
    rows: dict[str, int] = field(default_factory=dict)  # kind name -> rows
    imports: int = 0
    recompute_ms: int | None = None
    recomputed_at: datetime | None = None
    file_bytes: int = 0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def last_activity_at(self) -> datetime | None:
        return self.tenant.last_activity_at


def _table(schema: str, model) -> str:
    quote = connection.ops.quote_name
    return f"{quote(schema)}.{quote(model._meta.db_table)}"


def _usage_query(schema: str) -> str:
    parts = [f"SELECT '{name}', count(*)::bigint FROM {_table(schema, kind.model)}" for name, kind in KINDS.items()]
    coverage = _table(schema, KpiCoverage)
    parts += [
        f"SELECT '{IMPORTS}', count(*)::bigint FROM {_table(schema, DataImport)}",
        f"SELECT '{RECOMPUTE_MS}', (SELECT duration_ms FROM {coverage} ORDER BY computed_at DESC LIMIT 1)::bigint",
        f"SELECT '{RECOMPUTED_AT}', (SELECT extract(epoch FROM computed_at) FROM {coverage} "
        f"ORDER BY computed_at DESC LIMIT 1)::bigint",
    ]
    return " UNION ALL ".join(parts)


def folder_bytes(folder: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:  # removed while walking
                continue
    return total


def tenant_usage(tenant: Tenant) -> Usage:
    """``tenant``'s usage, read from public (its schema named in the query)."""
    with connection.cursor() as cursor:
        cursor.execute(_usage_query(tenant.schema_name))
        found = dict(cursor.fetchall())
    recomputed = found.pop(RECOMPUTED_AT)
    return Usage(tenant=tenant, imports=found.pop(IMPORTS), recompute_ms=found.pop(RECOMPUTE_MS),
                 recomputed_at=datetime.fromtimestamp(recomputed, tz=UTC) if recomputed else None,
                 rows=found, file_bytes=folder_bytes(Path(settings.MEDIA_ROOT) / tenant.schema_name))
