"""The platform's own tenants (the public site and the template every sign-up is
cloned from) can never be deleted or suspended, by any path: the platform admin's
pages and bulk actions, the model, the services, django-tenants' commands. Typing
"public" on a drop page once dropped the platform's schema."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django_tenants.utils import schema_exists

from tenants.models import PlatformTenantProtected, Tenant
from tenants.services import drop_tenant, set_status

PLATFORM = {"public": Tenant.Status.ACTIVE, settings.TENANT_BASE_SCHEMA: Tenant.Status.TEMPLATE}


@pytest.fixture
def staff(db) -> Client:
    user = get_user_model().objects.create_superuser("root", "root@localhost", "platform-pass-123!")
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


def platform_tenants() -> list[Tenant]:
    return list(Tenant.objects.filter(schema_name__in=PLATFORM))


def assert_platform_intact() -> None:
    assert {t.schema_name: t.status for t in platform_tenants()} == PLATFORM
    for schema in PLATFORM:
        assert schema_exists(schema)
    assert Client(HTTP_HOST="localhost").get("/").status_code == 200


def test_the_admin_offers_no_drop_page_for_the_platform_tenants(staff):
    for tenant in platform_tenants():
        url = f"/admin/tenants/tenant/{tenant.pk}/drop/"
        assert staff.get(url).status_code == 404
        assert staff.post(url, {"slug": tenant.slug}).status_code == 404
    assert_platform_intact()


def test_the_admin_lists_no_platform_tenant_and_its_change_page_changes_nothing(staff, acme):
    listing = staff.get("/admin/tenants/tenant/").content.decode()
    assert "acme" in listing
    for tenant in platform_tenants():
        assert f"/admin/tenants/tenant/{tenant.pk}/drop/" not in listing
        staff.post(f"/admin/tenants/tenant/{tenant.pk}/change/", {
            "name": tenant.name, "slug": tenant.slug, "status": "suspended", "currency": "USD",
            "timezone": "UTC", "locale": "en-US", "domains-TOTAL_FORMS": "0",
            "domains-INITIAL_FORMS": "0"})
        assert staff.post(f"/admin/tenants/tenant/{tenant.pk}/delete/", {"post": "yes"}).status_code in (302, 403)
    assert_platform_intact()


def test_the_admin_bulk_suspend_skips_the_platform_tenants(staff, acme):
    selected = [t.pk for t in platform_tenants()] + [acme.tenant.pk]
    staff.post("/admin/tenants/tenant/", {"action": "suspend", "_selected_action": selected})
    assert Tenant.objects.get(pk=acme.tenant.pk).status == Tenant.Status.SUSPENDED
    assert_platform_intact()


def test_the_model_refuses_to_delete_or_suspend_them(db):
    for tenant in platform_tenants():
        with pytest.raises(PlatformTenantProtected):
            tenant.delete(force_drop=True)
        with pytest.raises(PlatformTenantProtected):
            Tenant.objects.filter(pk=tenant.pk).delete()
        with pytest.raises(PlatformTenantProtected):
            Tenant.objects.filter(pk=tenant.pk).update(status=Tenant.Status.SUSPENDED)
        tenant.status = Tenant.Status.SUSPENDED
        with pytest.raises(PlatformTenantProtected):
            tenant.save()
    with pytest.raises(PlatformTenantProtected):
        Tenant.objects.all().delete()
    assert_platform_intact()


def test_the_services_refuse_to_drop_or_suspend_them(db, acme):
    for tenant in platform_tenants():
        with pytest.raises(PlatformTenantProtected):
            drop_tenant(tenant)
    with pytest.raises(PlatformTenantProtected):
        set_status(Tenant.objects.all(), Tenant.Status.SUSPENDED)
    # Refused as a whole: the company in the same queryset was not suspended either.
    assert Tenant.objects.get(pk=acme.tenant.pk).status == Tenant.Status.ACTIVE
    assert_platform_intact()


def test_django_tenants_delete_command_refuses_them(db):
    for schema in PLATFORM:
        with pytest.raises(PlatformTenantProtected):
            call_command("delete_tenant", schema_name=schema, interactive=False)
    assert_platform_intact()


def test_a_company_can_still_be_suspended_reactivated_and_its_status_kept_by_the_platform(db, acme):
    assert set_status(Tenant.objects.filter(pk=acme.tenant.pk), Tenant.Status.SUSPENDED) == 1
    assert set_status(Tenant.objects.filter(pk=acme.tenant.pk), Tenant.Status.ACTIVE) == 1
    # Writing a platform tenant's own status again (what setup_platform does) is allowed.
    public = Tenant.objects.get(schema_name="public")
    public.save()
    assert Tenant.objects.filter(schema_name="public").update(status=Tenant.Status.ACTIVE) == 1
    assert_platform_intact()
