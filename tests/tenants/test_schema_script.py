"""A sign-up replays the recorded template script; the schema it builds must be
exactly what running the migrations builds."""

from django.conf import settings
from django.db import connection

from tenants.schema_script import current_script, migrations_fingerprint

SHAPE_QUERIES = {
    "columns": """SELECT table_name, column_name, data_type, is_nullable, column_default
                  FROM information_schema.columns WHERE table_schema = %s""",
    "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = %s",
    "constraints": """SELECT rel.relname, con.conname, con.contype,
                             pg_get_constraintdef(con.oid)
                      FROM pg_constraint con JOIN pg_class rel ON rel.oid = con.conrelid
                      JOIN pg_namespace ns ON ns.oid = rel.relnamespace WHERE ns.nspname = %s""",
    "migrations": 'SELECT app, name FROM "{schema}".django_migrations',
    "content_types": 'SELECT id, app_label, model FROM "{schema}".django_content_type',
    "permissions": 'SELECT content_type_id, codename FROM "{schema}".auth_permission',
}


def shape(schema: str) -> dict:
    result = {}
    with connection.cursor() as cursor:
        for name, query in SHAPE_QUERIES.items():
            if "{schema}" in query:
                cursor.execute(query.format(schema=schema))
            else:
                cursor.execute(query, [schema])
            rows = [tuple(str(value).replace(schema, "<schema>") for value in row)
                    for row in cursor.fetchall()]
            result[name] = sorted(rows)
    return result


def test_a_signed_up_tenant_has_exactly_the_migrated_templates_schema(acme, db):
    template, tenant = shape(settings.TENANT_BASE_SCHEMA), shape(acme.schema)
    assert template["columns"], "the template schema has tables"
    for part in SHAPE_QUERIES:
        assert tenant[part] == template[part], part


def test_the_script_is_current_for_the_migrations_on_disk(db):
    script = current_script()
    assert script is not None
    assert script.fingerprint == migrations_fingerprint()
    assert script.statement_count > 50
    assert settings.TENANT_BASE_SCHEMA not in script.sql
