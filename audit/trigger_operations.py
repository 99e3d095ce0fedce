"""django-pgtrigger's migration operations, confined to the schemas this app lives in.

pgtrigger asks the database router about a trigger's *concrete* model, so a trigger
on ``auth_user`` (tracked through ``AuditedUser``) was installed in public too, where
platform staff live and no audit table exists: creating a superuser then failed.
These operations also ask about this app (a tenant app: never public)."""

from __future__ import annotations

from django.db import router
from django.db.migrations.operations.base import Operation
from django_tenants.utils import get_public_schema_name
from pgtrigger import migrations


class _InThisAppsSchemas:
    def allow_migrate_model_trigger(self, schema_editor, model) -> bool:
        return (super().allow_migrate_model_trigger(schema_editor, model)
                and router.allow_migrate(schema_editor.connection.alias, "audit") is not False)


class AddTrigger(_InThisAppsSchemas, migrations.AddTrigger):
    pass


class RemoveTrigger(_InThisAppsSchemas, migrations.RemoveTrigger):
    pass


class DropPublicUserTriggers(Operation):
    """Removes what the unconfined operations had installed in public (databases
    migrated before this fix): the audit's triggers on public.auth_user and their
    functions."""

    reduces_to_sql = False
    reversible = True

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if getattr(schema_editor.connection, "schema_name", None) != get_public_schema_name():
            return
        schema_editor.execute("""
            DO $$
            DECLARE found record;
            BEGIN
                FOR found IN SELECT t.tgname FROM pg_trigger t
                             WHERE t.tgrelid = to_regclass('public.auth_user') AND t.tgname LIKE 'pgtrigger_user_%'
                LOOP
                    EXECUTE format('DROP TRIGGER %I ON public.auth_user', found.tgname);
                    EXECUTE format('DROP FUNCTION IF EXISTS public.%I()', found.tgname);
                END LOOP;
            END $$""", params=None)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass

    def describe(self) -> str:
        return "Drop the audit's triggers on public.auth_user"
