from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django_tenants.utils import schema_context

from tenants.models import Tenant
from tenants.signup import sign_up, tenant_domain


@dataclass
class TenantHandle:
    tenant: Tenant
    owner_email: str
    owner_token: str
    password: str

    @property
    def host(self) -> str:
        return tenant_domain(self.tenant.slug)

    @property
    def schema(self) -> str:
        return self.tenant.schema_name


def make_session_tenant(slug: str, name: str, password: str) -> TenantHandle:
    """Create (or reuse, with --reuse-db) a tenant through the real sign-up."""
    email = f"owner@{slug}.example"
    existing = Tenant.objects.filter(slug=slug).first()
    if existing is None:
        result = sign_up(company_name=name, slug=slug, email=email, password=password)
        token, tenant = result.token, result.tenant
    else:
        from rest_framework.authtoken.models import Token

        tenant = existing
        with schema_context(tenant.schema_name):
            token = Token.objects.get(user__username=email).key
    connection.set_schema_to_public()
    return TenantHandle(tenant=tenant, owner_email=email, owner_token=token, password=password)
