from django.test import Client

from tenants.models import Tenant


def test_suspended_tenant_gets_a_page_and_api_403(acme, db):
    Tenant.objects.filter(pk=acme.tenant.pk).update(status=Tenant.Status.SUSPENDED)

    page = Client(HTTP_HOST=acme.host).get("/")
    assert page.status_code == 403
    assert b"suspended" in page.content.lower()

    api = Client(HTTP_HOST=acme.host, HTTP_AUTHORIZATION=f"Token {acme.owner_token}").get("/api/v1/me/")
    assert api.status_code == 403
    assert "suspended" in api.json()["detail"]


def test_reactivated_tenant_serves_again(acme, db):
    Tenant.objects.filter(pk=acme.tenant.pk).update(status=Tenant.Status.SUSPENDED)
    Tenant.objects.filter(pk=acme.tenant.pk).update(status=Tenant.Status.ACTIVE)
    api = Client(HTTP_HOST=acme.host, HTTP_AUTHORIZATION=f"Token {acme.owner_token}").get("/api/v1/me/")
    assert api.status_code == 200
