"""Nothing that authenticates on one tenant means anything on another."""

import pytest
from django.db import connection
from django.test import Client

from metrics.imports import running, services
from metrics.models import DataImport, Invoice
from tests.conftest import host_client
from tests.metrics.imports.builders import csv_bytes, upload
from tests.metrics.imports.test_pages import browser_for


def test_unknown_host_is_404(db):
    assert Client(HTTP_HOST="nobody.localhost").get("/").status_code == 404
    assert Client(HTTP_HOST="nobody.localhost").get("/api/v1/me/").status_code == 404


def test_template_schema_has_no_host(db):
    assert Client(HTTP_HOST="tenant-template.localhost").get("/").status_code == 404


def test_token_of_one_tenant_is_rejected_on_another(acme, globex, db):
    assert host_client(acme.host, acme.owner_token).get("/api/v1/me/").status_code == 200
    response = host_client(globex.host, acme.owner_token).get("/api/v1/me/")
    assert response.status_code == 401


def test_token_is_rejected_on_the_public_host(acme, db):
    # The public host has no tenant API at all.
    assert host_client("localhost", acme.owner_token).get("/api/v1/me/").status_code == 404


def test_replayed_session_cookie_from_another_tenant_is_anonymous(acme, globex, db):
    owner = Client(HTTP_HOST=acme.host)
    logged_in = owner.post("/accounts/login/", {"username": acme.owner_email, "password": acme.password})
    assert logged_in.status_code == 302
    assert owner.get("/").status_code == 200
    session_cookie = owner.cookies["sessionid"].value

    intruder = Client(HTTP_HOST=globex.host)
    intruder.cookies["sessionid"] = session_cookie
    response = intruder.get("/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert intruder.get("/api/v1/me/").status_code in (401, 403)


def test_login_with_another_tenants_credentials_fails(acme, globex, db):
    client = Client(HTTP_HOST=globex.host)
    response = client.post("/accounts/login/", {"username": acme.owner_email, "password": acme.password})
    assert response.status_code == 200  # the form again, with an error
    assert "do not match an account of this company" in response.content.decode()


def test_token_endpoint_only_knows_its_own_tenants_people(acme, globex, db):
    good = host_client(acme.host).post("/api/v1/auth/token/",
                                       {"email": acme.owner_email, "password": acme.password})
    assert good.status_code == 200
    assert host_client(acme.host, good.json()["token"]).get("/api/v1/me/").status_code == 200
    other = host_client(globex.host).post("/api/v1/auth/token/",
                                          {"email": acme.owner_email, "password": acme.password})
    assert other.status_code == 400


@pytest.mark.parametrize("path", ["/admin/", "/signup/", "/api/v1/signup/"])
def test_platform_pages_do_not_exist_on_a_tenant_host(acme, db, path):
    assert Client(HTTP_HOST=acme.host).get(path).status_code == 404


def test_platform_admin_session_means_nothing_on_a_tenant(acme, db):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("root", "root@localhost", "platform-pass-123!")
    staff = Client(HTTP_HOST="localhost")
    assert staff.post("/admin/login/?next=/admin/",
                      {"username": "root", "password": "platform-pass-123!"}).status_code == 302
    assert staff.get("/admin/").status_code == 200

    replay = Client(HTTP_HOST=acme.host)
    replay.cookies["sessionid"] = staff.cookies["sessionid"].value
    assert replay.get("/api/v1/me/").status_code in (401, 403)


def test_another_tenant_cannot_undo_an_import_or_delete_a_record_by_its_urls(acme, globex, globex_owner, db):
    """Globex's owner, by API token and by the pages' forms, aims at acme's import and
    at a record only acme has: 404, and acme's data and history stay as they were."""
    connection.set_tenant(acme.tenant)
    record = services.start_import(kind="invoices", upload=upload(csv_bytes(
        ["invoice_id", "date", "amount", "status"], [["ACME-1", "2024-01-05", "10", "paid"]])))
    running.run_import(import_id=str(record.pk))

    assert globex_owner.post(f"/api/v1/imports/{record.pk}/undo/").status_code == 404
    assert globex_owner.delete("/api/v1/data/invoices/ACME-1/").status_code == 404
    page = browser_for(globex, globex.owner_email)
    assert page.post(f"/imports/{record.pk}/undo/").status_code == 404
    assert page.get(f"/imports/{record.pk}/").status_code == 404
    refused = page.post("/data/invoices/delete/", {"key": "ACME-1"}, follow=True).content.decode()
    assert "No invoices record has the key ACME-1" in refused

    connection.set_tenant(acme.tenant)
    assert list(Invoice.objects.values_list("invoice_id", "amount")) == [("ACME-1", 10)]
    assert DataImport.objects.get(pk=record.pk).undone_at is None
    assert list(DataImport.objects.values_list("origin", flat=True)) == ["upload"]
    connection.set_tenant(globex.tenant)
    assert not DataImport.objects.filter(origin__in=["undo", "delete"]).exists()
