"""Platform operations on tenants (the admin and commands call these)."""

import shutil
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django_tenants.utils import schema_context

from tenants.models import Tenant


def set_status(queryset, status: str) -> int:
    """Suspend or reactivate companies. The platform's own tenants refuse it
    (Tenant's queryset raises PlatformTenantProtected) and nothing is changed."""
    return queryset.update(status=status)


def drop_tenant(tenant: Tenant) -> None:
    """Delete the tenant row, its domains, its schema with every record in it, and
    its uploaded files (once the database part has committed). The platform's own
    tenants refuse it (Tenant.delete raises PlatformTenantProtected) before anything
    is touched."""
    files = Path(settings.MEDIA_ROOT) / tenant.schema_name
    with schema_context("public"), transaction.atomic():
        with connection.cursor() as cursor:
            # Deferred foreign-key checks still pending in this transaction would make
            # DROP SCHEMA fail; run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        tenant.delete(force_drop=True)
        transaction.on_commit(lambda: shutil.rmtree(files, ignore_errors=True))
