"""A company reads every time in its own time zone, named: the same moment is 14:05 CET
in Berlin and 05:05 PST in Los Angeles, on the imports pages, in messages, on the
notifications page, and in background work (tasks run on the company's clock)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import Notification
from jobs.tasks import tenant_task
from metrics.models import DataImport
from tenants.models import Tenant
from tests.metrics.imports.builders import import_records

UTC = ZoneInfo("UTC")
WINTER = datetime(2026, 1, 5, 13, 5, tzinfo=UTC)
SUMMER = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)


def in_zone(handle, zone: str) -> Client:
    """The company moved to ``zone`` (rolled back with the test), and its owner's browser."""
    Tenant.objects.filter(pk=handle.tenant.pk).update(timezone=zone)
    handle.tenant.refresh_from_db()
    connection.set_tenant(handle.tenant)
    client = Client(HTTP_HOST=handle.host)
    client.force_login(get_user_model().objects.get(username=handle.owner_email))
    return client


def import_made_at(handle, moment: datetime) -> DataImport:
    connection.set_tenant(handle.tenant)
    record = import_records("customers", [{"customer_id": "T1", "name": "Timely Ltd"}])
    DataImport.objects.filter(pk=record.pk).update(created_at=moment)
    return record


@pytest.fixture
def berlin(db, acme):
    before = acme.tenant.timezone
    yield in_zone(acme, "Europe/Berlin")
    acme.tenant.timezone = before  # the session's handle outlives the rolled-back row


@pytest.fixture
def los_angeles(db, globex):
    before = globex.tenant.timezone
    yield in_zone(globex, "America/Los_Angeles")
    globex.tenant.timezone = before


def test_the_same_import_reads_in_each_company_s_own_time_zone(berlin, los_angeles, acme, globex):
    in_berlin = import_made_at(acme, WINTER)
    in_la = import_made_at(globex, WINTER)

    connection.set_tenant(acme.tenant)
    berlin_detail = berlin.get(f"/imports/{in_berlin.pk}/").content.decode()
    berlin_list = berlin.get("/imports/").content.decode()
    connection.set_tenant(globex.tenant)
    la_detail = los_angeles.get(f"/imports/{in_la.pk}/").content.decode()
    la_list = los_angeles.get("/imports/").content.decode()

    assert "2026-01-05 14:05 CET" in berlin_detail and "2026-01-05 14:05 CET" in berlin_list
    assert "2026-01-05 05:05 PST" in la_detail and "2026-01-05 05:05 PST" in la_list
    assert "13:05" not in berlin_detail + la_detail  # never the server's UTC


def test_summer_time_is_named_and_the_date_can_differ(berlin, los_angeles, acme, globex):
    in_berlin = import_made_at(acme, SUMMER)
    in_la = import_made_at(globex, SUMMER)
    connection.set_tenant(acme.tenant)
    assert "2026-07-02 01:30 CEST" in berlin.get(f"/imports/{in_berlin.pk}/").content.decode()
    connection.set_tenant(globex.tenant)
    assert "2026-07-01 16:30 PDT" in los_angeles.get(f"/imports/{in_la.pk}/").content.decode()


def test_a_message_naming_an_import_gives_the_company_s_time(berlin, acme):
    record = import_made_at(acme, WINTER)
    connection.set_tenant(acme.tenant)
    assert berlin.post(f"/imports/{record.pk}/undo/").status_code == 302
    connection.set_tenant(acme.tenant)
    undone = DataImport.objects.get(pk=record.pk).undone_at
    again = berlin.post(f"/imports/{record.pk}/undo/", follow=True).content.decode()
    local = timezone.localtime(undone, ZoneInfo("Europe/Berlin"))
    assert f"already undone ({local:%Y-%m-%d %H:%M} {local.tzname()})" in again


def test_notifications_show_the_company_s_time(berlin, los_angeles, acme, globex):
    for handle in (acme, globex):
        connection.set_tenant(handle.tenant)
        owner = get_user_model().objects.get(username=handle.owner_email)
        note = Notification.objects.create(user=owner, message="Goal at risk")
        Notification.objects.filter(pk=note.pk).update(created_at=WINTER)
    connection.set_tenant(acme.tenant)
    assert "5 Jan 2026 14:05 CET" in berlin.get("/notifications/").content.decode()
    connection.set_tenant(globex.tenant)
    assert "5 Jan 2026 05:05 PST" in los_angeles.get("/notifications/").content.decode()


def test_a_zone_never_leaks_into_the_next_request(berlin, acme, public_client):
    connection.set_tenant(acme.tenant)
    berlin.get("/imports/")
    assert timezone.get_current_timezone_name() == "UTC"


@tenant_task()
def company_clock() -> str:
    """What a task sees as the current zone (declared here: the check's own task)."""
    return timezone.get_current_timezone_name()


def test_background_work_runs_on_the_company_s_clock(berlin, los_angeles, acme, globex):
    connection.set_tenant(acme.tenant)
    assert company_clock() == "Europe/Berlin"
    connection.set_tenant(globex.tenant)
    assert company_clock() == "America/Los_Angeles"
    assert timezone.get_current_timezone_name() == "UTC"
