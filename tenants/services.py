"""Platform operations on tenants (the admin and commands call these), and a company
leaving: its deletion by the owner, the restore and the purge (the export's job is
queued from tenants/tasks.py, written by tenants/export.py)."""

import logging
import shutil
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.emails import compose, render_body
from accounts.models import Member
from accounts.roles import has_role
from tenants.models import PlatformTenantProtected, Tenant

logger = logging.getLogger(__name__)
DELETION_GRACE = timedelta(days=30)


def set_status(queryset, status: str) -> int:
    """Suspend or reactivate companies. Reactivating also takes back an owner's
    deletion (a company serving again must never be purged by a date left behind).
    Nothing else changes: users' sessions and tokens live in the company's schema and
    are not touched, so they work again once it serves (tenants.middleware only stands
    in front of them). The platform's own tenants refuse it (Tenant's queryset raises
    PlatformTenantProtected) and nothing is changed."""
    if status == Tenant.Status.ACTIVE:
        return queryset.update(status=status, deletion_requested_at=None, purge_after=None)
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


# --- Leaving: the deletion, its restore and the purge (issue 17) ------------------------


def request_deletion(*, tenant: Tenant, by, confirm: str) -> Tenant:
    """The owner deletes the company: suspended at once (nothing on its host works any
    more, sessions are kept in case a platform admin restores it), purged after
    DELETION_GRACE by the daily beat task. ``confirm`` must be the slug typed: a
    ValidationError names the field otherwise; a non-owner gets PermissionDenied.
    Every owner is told by e-mail, with the date in the company's time zone."""
    if not has_role(by, Member.Role.OWNER):
        raise PermissionDenied("Only an owner can delete the company.")
    if tenant.is_platform:
        raise PlatformTenantProtected(f"The platform tenant {tenant.schema_name} cannot be deleted.")
    if not isinstance(confirm, str) or confirm.strip() != tenant.slug:
        raise ValidationError({"confirm": f"Type the company's slug, {tenant.slug}, to confirm; nothing was deleted."})
    now = timezone.now()
    with schema_context("public"):
        Tenant.objects.filter(pk=tenant.pk).update(
            status=Tenant.Status.SUSPENDED, deletion_requested_at=now, purge_after=now + DELETION_GRACE)
    tenant.refresh_from_db()
    owners = list(Member.objects.filter(role=Member.Role.OWNER).select_related("user")
                  .values_list("user__email", flat=True))
    messages = [_deletion_message(tenant=tenant, to=email) for email in owners if email]
    transaction.on_commit(lambda: [message.send() for message in messages])
    return tenant


def _deletion_message(*, tenant: Tenant, to: str):
    purge_on = timezone.localtime(tenant.purge_after, tenant.zone)
    body = render_body("company_deletion", {"company": tenant.name, "slug": tenant.slug, "purge_on": purge_on,
                                            "zone": tenant.timezone, "grace_days": DELETION_GRACE.days})
    return compose(to=to, subject=f"{tenant.name} will be deleted from KPI Hub on {purge_on:%Y-%m-%d}", body=body)


def restore_company(*, tenant: Tenant) -> None:
    """The platform admin takes back an owner's deletion within the grace period: the
    company serves again (its users' sessions still work) and nothing is purged."""
    set_status(Tenant.objects.filter(pk=tenant.pk), Tenant.Status.ACTIVE)


def purge_due_companies(*, now: datetime | None = None) -> list[str]:
    """Drop every company whose owner deleted it and whose grace period is over: its
    schema (every record, and with them its mail logs: the survey delivery log,
    reminders, invitations and notifications all live there), its stored files, its
    row and domains. One company failing does not keep the others. Returns the slugs."""
    now = now or timezone.now()
    with schema_context("public"):
        due = list(Tenant.objects.without_platform().filter(
            status=Tenant.Status.SUSPENDED, deletion_requested_at__isnull=False, purge_after__lte=now))
    purged = []
    for tenant in due:
        try:
            drop_tenant(tenant)
        except DatabaseError:
            logger.exception("could not purge %s; tried again tomorrow", tenant.slug)
            continue
        logger.info("purged %s (deletion requested %s)", tenant.slug, tenant.deletion_requested_at)
        purged.append(tenant.slug)
    return purged
