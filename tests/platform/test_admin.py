"""The platform admin: tenants listed with their figures, suspend/reactivate, and a
delete that drops the schema only after the slug is typed."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django_tenants.utils import schema_exists

from tenants.models import Domain, Tenant
from tenants.signup import sign_up


@pytest.fixture
def staff(db) -> Client:
    get_user_model().objects.create_superuser("root", "root@localhost", "platform-pass-123!")
    client = Client(HTTP_HOST="localhost")
    client.force_login(get_user_model().objects.get(username="root"))
    return client


@pytest.fixture
def doomed(db):
    return sign_up(company_name="Doomed Ltd", slug="doomed", email="o@doomed.example",
                   password="correct-horse-battery-staple").tenant


def test_tenant_list_shows_slug_status_users_and_hides_the_template(staff, acme):
    page = staff.get("/admin/tenants/tenant/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "acme" in html and "Acme Analytics" in html
    assert "tenant-template" not in html
    assert "Last activity" in html and "User count" in html


def test_suspend_and_reactivate_actions(staff, acme):
    staff.post("/admin/tenants/tenant/", {"action": "suspend", "_selected_action": [acme.tenant.pk]})
    assert Tenant.objects.get(pk=acme.tenant.pk).status == "suspended"
    staff.post("/admin/tenants/tenant/", {"action": "reactivate", "_selected_action": [acme.tenant.pk]})
    assert Tenant.objects.get(pk=acme.tenant.pk).status == "active"


def test_delete_needs_the_typed_slug_then_drops_everything(staff, doomed):
    url = f"/admin/tenants/tenant/{doomed.pk}/drop/"
    assert staff.get(url).status_code == 200

    wrong = staff.post(url, {"slug": "doome"})
    assert wrong.status_code == 200
    assert schema_exists(doomed.schema_name)
    assert Tenant.objects.filter(pk=doomed.pk).exists()

    assert staff.post(url, {"slug": "doomed"}).status_code == 302
    assert not Tenant.objects.filter(pk=doomed.pk).exists()
    assert not Domain.objects.filter(domain="doomed.localhost").exists()
    assert not schema_exists(doomed.schema_name)


def test_default_delete_is_not_offered(staff, doomed):
    assert staff.get(f"/admin/tenants/tenant/{doomed.pk}/delete/").status_code == 403


def test_admin_is_for_staff_only(db):
    response = Client(HTTP_HOST="localhost").get("/admin/tenants/tenant/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
