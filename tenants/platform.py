"""The platform's fixed furniture: the public tenant (the public site's host) and the
template schema every sign-up is cloned from. Idempotent; run after migrations."""

from django.conf import settings
from django.db import transaction
from django_tenants.utils import schema_context

from tenants.models import Domain, Tenant
from tenants.schema_script import current_script, rebuild_template

PUBLIC_SLUG = "public"
TEMPLATE_SLUG = "tenant-template"


@transaction.atomic
def ensure_public_tenant() -> Tenant:
    with schema_context("public"):
        tenant, _ = Tenant.objects.get_or_create(
            schema_name="public", defaults={"slug": PUBLIC_SLUG, "name": "KPI Hub"})
        Domain.objects.update_or_create(
            domain=settings.BASE_DOMAIN, defaults={"tenant": tenant, "is_primary": True})
    return tenant


def ensure_template_tenant() -> Tenant:
    """A tenant row with no domain whose schema migrate_schemas keeps current, and
    the recorded script sign-ups replay (re-recorded when the migrations change)."""
    with schema_context("public"):
        tenant = Tenant.objects.filter(schema_name=settings.TENANT_BASE_SCHEMA).first()
        if tenant is None:
            tenant = Tenant(schema_name=settings.TENANT_BASE_SCHEMA, slug=TEMPLATE_SLUG,
                            name="Template", status=Tenant.Status.TEMPLATE)
            tenant.auto_create_schema = False  # rebuild_template() builds it below
            tenant.save(verbosity=0)
        if current_script() is None:
            rebuild_template()
    return tenant
