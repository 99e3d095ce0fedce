"""Reads about people that cross tenants: which companies an e-mail address belongs to
("find my workspace", issue 17)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django_tenants.utils import get_public_schema_name
from psycopg import sql

from tenants.models import Tenant

# Schemas per statement: one UNION ALL over thousands of schemas makes a plan that
# takes longer to build than to run; a few hundred per statement keeps both small.
SCHEMAS_PER_QUERY = 300


@dataclass(frozen=True)
class Workspace:
    name: str
    slug: str


def workspaces_of(*, email: str) -> list[Workspace]:
    """The active companies where ``email`` is an active member, by name.

    People live in their company's schema (auth.User + Member; docs/architecture.md),
    so there is no public table to ask. Rather than a query per tenant, one UNION ALL
    statement asks every active tenant's schema at once (per SCHEMAS_PER_QUERY), each
    branch an index look-up on the unique username (the lower-cased e-mail). Suspended
    companies (and those being deleted) and the template are left out: nobody can log
    in to them."""
    email = email.strip().lower()
    tenants = {tenant.schema_name: tenant for tenant in Tenant.objects.filter(
        status=Tenant.Status.ACTIVE).exclude(schema_name=get_public_schema_name())}
    schemas = sorted(tenants)
    found: set[str] = set()
    with connection.cursor() as cursor:
        for start in range(0, len(schemas), SCHEMAS_PER_QUERY):
            chunk = schemas[start:start + SCHEMAS_PER_QUERY]
            branches = [sql.SQL(
                "SELECT {name} FROM {schema}.auth_user u JOIN {schema}.accounts_member m ON m.user_id = u.id "
                "WHERE u.username = %(email)s AND u.is_active").format(
                    name=sql.Literal(schema), schema=sql.Identifier(schema)) for schema in chunk]
            query = sql.SQL(" UNION ALL ").join(branches).as_string(connection.connection)
            cursor.execute(query, {"email": email})
            found.update(row[0] for row in cursor.fetchall())
    return sorted((Workspace(name=tenants[schema].name, slug=tenants[schema].slug) for schema in found),
                  key=lambda workspace: (workspace.name.lower(), workspace.slug))
