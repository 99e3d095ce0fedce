"""Fast tenant schemas: record once, replay per sign-up.

Running every tenant migration per sign-up costs the migration framework's state
rendering; cloning the template schema with django-tenants' PL/pgSQL costs catalog work
for every table. Instead, when the template schema is (re)built, we record
every statement its migrations execute (DDL, plus the rows that migrations and
post_migrate write: django_migrations, content types, permissions), and a sign-up
replays them into an empty schema: the same SQL, in the same order, so the result
is exactly what migrating would have produced.

The script is keyed by a fingerprint of the tenant migrations on disk; when they
change, ``rebuild_template`` records it again (``setup_platform`` does this after
``migrate_schemas``). With no current script, sign-up falls back to cloning.
"""

from __future__ import annotations

import functools
import hashlib

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.apps import apps
from django_tenants.utils import schema_context

from tenants.models import SchemaScript


@functools.cache
def migrations_fingerprint() -> str:
    """Which tenant migrations exist on disk (they cannot change under a running process)."""
    loader = MigrationLoader(None, ignore_no_migrations=True, load=True)
    tenant_labels = {config.label for config in apps.get_app_configs()
                     if config.name in settings.TENANT_APPS}
    names = sorted(f"{app}.{name}" for app, name in loader.disk_migrations if app in tenant_labels)
    return hashlib.sha256("\n".join(names).encode()).hexdigest()


class _Recorder:
    """A connection execute wrapper that keeps every statement that changes things,
    with its parameters bound by the driver (so the replay is one round trip)."""

    def __init__(self, schema: str):
        self.schema = schema
        self.statements: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        text = sql.strip().rstrip(";")
        keeps = not text.upper().startswith(("SELECT", "SHOW")) and "search_path" not in text
        if keeps:
            if self.schema in text:
                raise RuntimeError(f"a migration names the template schema: {text[:80]}")
            raw = context["cursor"].cursor
            for one in (params if many else [params]):
                self.statements.append(raw.mogrify(text, one) if one is not None else text)
        return execute(sql, params, many, context)


def rebuild_template() -> SchemaScript:
    """Drop and re-create the template schema by running its migrations, recording
    what they execute."""
    schema = settings.TENANT_BASE_SCHEMA
    recorder = _Recorder(schema)
    with schema_context("public"):
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            cursor.execute(f'CREATE SCHEMA "{schema}"')
        with connection.execute_wrapper(recorder):
            call_command("migrate_schemas", tenant=True, schema_name=schema,
                         interactive=False, verbosity=0)
    fingerprint = migrations_fingerprint()
    with schema_context("public"):
        script, _ = SchemaScript.objects.update_or_create(
            fingerprint=fingerprint,
            defaults={"sql": ";\n".join(recorder.statements),
                      "statement_count": len(recorder.statements)})
        SchemaScript.objects.exclude(pk=script.pk).delete()
    return script


def current_script() -> SchemaScript | None:
    return SchemaScript.objects.filter(fingerprint=migrations_fingerprint()).first()


def install_schema(schema_name: str, script: SchemaScript) -> None:
    """Create ``schema_name`` and replay the script into it (inside the caller's
    transaction: a failure leaves no schema behind)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{schema_name}"; '
                       f'SET LOCAL search_path = "{schema_name}", public; {script.sql}')
    # SET LOCAL ends with the transaction; make django-tenants set it again next time.
    connection.search_path_set_schemas = None
