"""What no table trigger sees: sign-in attempts (Django's auth signals, sent by the
login page, the token endpoint's ``authenticate`` and any second factor) and the
company's settings, which live in public (``tenants.Tenant``) where a trigger would
fire for every host."""

from __future__ import annotations

import copy

import pghistory
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import connection
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django_tenants.utils import get_public_schema_name, schema_context

from audit.models import COMPANY_FIELDS, AuditedCompany, CompanyEvent, SignIn
from tenants.models import Tenant

USERNAME_LIMIT = 254


def _on_tenant_host() -> bool:
    return connection.schema_name != get_public_schema_name()


@receiver(user_logged_in, dispatch_uid="audit-sign-in")
def record_sign_in(sender, request, user, **kwargs) -> None:
    if _on_tenant_host():
        SignIn.objects.create(username=user.get_username()[:USERNAME_LIMIT], user=user, succeeded=True)


@receiver(user_login_failed, dispatch_uid="audit-sign-in-failed")
def record_failed_sign_in(sender, credentials, request=None, **kwargs) -> None:
    """Platform staff sign in on the public host, which has no audit log."""
    if not _on_tenant_host():
        return
    username = str(credentials.get("username") or credentials.get("email") or "")[:USERNAME_LIMIT]
    user = get_user_model().objects.filter(username=username.strip().lower()).first() if username else None
    SignIn.objects.create(username=username, user=user, succeeded=False)


def _settings(tenant) -> dict:
    return {name: getattr(tenant, name) for name in COMPANY_FIELDS}


@receiver(pre_save, sender=Tenant, dispatch_uid="audit-company-before")
def remember_company_settings(sender, instance, update_fields=None, **kwargs) -> None:
    if instance.pk is None or (update_fields is not None and not set(update_fields) & set(COMPANY_FIELDS)):
        return
    before = Tenant.objects.filter(pk=instance.pk).values(*COMPANY_FIELDS).first()
    instance._audit_settings_before = before


@receiver(post_save, sender=Tenant, dispatch_uid="audit-company-changed")
def record_company_settings(sender, instance, created, **kwargs) -> None:
    """A change of name, status, currency, time zone or number format, recorded in the
    company's own schema. The first change also records the settings as they were
    (``company.settings_before``), so the change shows what it changed."""
    before = getattr(instance, "_audit_settings_before", None)
    instance._audit_settings_before = None
    if created or before is None or before == _settings(instance):
        return
    if instance.schema_name in (get_public_schema_name(), settings.TENANT_BASE_SCHEMA):
        return
    with schema_context(instance.schema_name):
        if not CompanyEvent.objects.filter(pgh_obj_id=instance.pk).exists():
            pghistory.create_event(_as_audited(instance, before), label="company.settings_before")
        pghistory.create_event(_as_audited(instance, _settings(instance)), label="company.settings_changed")


def _as_audited(tenant: Tenant, values: dict) -> AuditedCompany:
    audited = copy.copy(tenant)
    audited.__class__ = AuditedCompany
    for name, value in values.items():
        setattr(audited, name, value)
    return audited
