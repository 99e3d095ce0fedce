"""DRF's authtoken kept each key in clear (``authtoken_token``). Every existing key
becomes an ``accounts.ApiToken`` holding only its SHA-256, so it keeps working
unchanged (``Authorization: Token <key>``), and the clear table is dropped. A schema
made after authtoken left INSTALLED_APPS has no such table: nothing to do."""

from django.db import migrations

MOVE_KEYS = """
INSERT INTO accounts_apitoken (user_id, name, digest, prefix, read_only, from_sign_in, created_at)
SELECT user_id, 'API token', encode(sha256(convert_to(key, 'UTF8')), 'hex'), left(key, 8),
       false, true, created
FROM authtoken_token
ON CONFLICT (digest) DO NOTHING
"""


def hash_drf_tokens(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(quote_ident(current_schema()) || '.authtoken_token') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return
    schema_editor.execute(MOVE_KEYS)
    schema_editor.execute("DROP TABLE authtoken_token CASCADE")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_api_tokens_and_two_factor_policy")]

    operations = [migrations.RunPython(hash_drf_tokens, migrations.RunPython.noop)]
