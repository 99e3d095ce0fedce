"""The platform's fixed furniture: the public tenant (the public site's host) and the
template schema every sign-up is cloned from. Idempotent; run after migrations."""

from django.conf import settings
from django.db import transaction
from django_tenants.utils import schema_context, schema_exists

from tenants.models import Domain, Tenant

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
    """A tenant row with no domain whose schema migrate_schemas keeps current."""
    with schema_context("public"):
        tenant = Tenant.objects.filter(schema_name=settings.TENANT_BASE_SCHEMA).first()
        if tenant is None:
            tenant = Tenant(schema_name=settings.TENANT_BASE_SCHEMA, slug=TEMPLATE_SLUG,
                            name="Template", status=Tenant.Status.TEMPLATE)
            # The template itself is built by running the migrations (there is nothing
            # to clone it from yet).
            tenant.save(verbosity=0)
        elif not schema_exists(tenant.schema_name):
            tenant.create_schema(check_if_exists=True, verbosity=0)
    return tenant
