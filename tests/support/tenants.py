from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection
from django_tenants.utils import schema_context

from accounts.services import issue_token
from tenants.models import Tenant
from tenants.services import drop_tenant
from tenants.signup import SignupResult, sign_up, tenant_domain

PASSWORD = "correct-horse-battery-staple"


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
    else:  # a stored token is only a hash: hand out a new one
        tenant = existing
        with schema_context(tenant.schema_name):
            token = issue_token(get_user_model().objects.get(username=email))
    connection.set_schema_to_public()
    return TenantHandle(tenant=tenant, owner_email=email, owner_token=token, password=password)


@contextmanager
def company_of_its_own(prefix: str, *, company_name: str = "", password: str = PASSWORD,
                       ) -> Iterator[SignupResult]:
    """A company signed up for real and committed, so that other processes (a worker)
    and connections see it; dropped afterwards. Needs database access outside the
    test's transaction (the ``committed_db`` fixture)."""
    slug = f"{prefix}-{uuid.uuid4().hex[:8]}"
    result = sign_up(company_name=company_name or f"Company {slug}", slug=slug,
                     email=f"owner@{slug}.example", password=password)
    connection.set_schema_to_public()
    try:
        yield result
    finally:
        connection.set_schema_to_public()
        drop_tenant(result.tenant)
