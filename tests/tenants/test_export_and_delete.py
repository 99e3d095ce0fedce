"""A company leaves with its data, or leaves (issue 17, item 3).

The export: a ZIP with every kind's CSV in its import format (imported as it is into
another company, the same records come out), the KPI values, the goals and the survey
answers; only the company's own data; downloadable by its owners and admins only.
The deletion: the owner types the slug; the company is suspended with its purge date
30 days on; the purge drops nothing before that date and after it the schema, the
stored files and the mail logs, leaving other companies be; the platform admin can
restore it within the grace period."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context, schema_exists

from accounts.services import add_member, issue_token
from jobs.models import Job
from kpihub.queues import route
from metrics.data import export as data_export
from metrics.data import selectors
from metrics.imports import samples
from metrics.imports.kinds import KINDS
from metrics.models import Customer, Goal, KpiValue
from surveys import services as surveys
from surveys.models import SurveyRecipient
from tenants import services
from tenants.models import Tenant
from tenants.signup import sign_up
from tenants.tasks import export_company
from tests.conftest import host_client
from tests.metrics.imports.builders import import_file
from tests.surveys.conftest import sent_survey
from tests.support.smtp import html_of, text_of as mail_text
from tests.support.tenants import company_of_its_own
from tests.support.waiting import wait_for_job

PASSWORD = "correct-horse-battery-staple"


def fill_with_everything(owner_email: str) -> None:
    """In the current tenant: every kind's template imported, a KPI value, a goal and
    two survey answers (one with a comment)."""
    for kind in KINDS.values():
        record = import_file(kind.name, samples.template_csv(kind), name=f"{kind.name}.csv")
        assert record.job.status == Job.Status.SUCCEEDED, (kind.name, record.job.error, record.errors)
    KpiValue.objects.create(kpi="mrr", month=date(2024, 3, 1), value=Decimal("1234.5"), computed_at=timezone.now())
    Goal.objects.create(title="MRR to 2k", kpi="mrr", target_value=2000, baseline_value=1000,
                        start_date=date(2024, 1, 1), deadline=date(2026, 12, 31),
                        owner=get_user_model().objects.get(username=owner_email))
    survey, recipients = sent_survey(customers=2, name="Spring NPS")
    surveys.record_response(recipient=recipients[0], score=9, comment="Great reports")
    surveys.record_response(recipient=recipients[1], score=4, comment="")


def exported(client, tenant) -> tuple[dict, zipfile.ZipFile]:
    """Start the export through the API, run its task here (the test's transaction never
    commits, so nothing is queued), and download the finished job's ZIP."""
    started = client.post("/api/v1/company/export/")
    assert started.status_code == 202
    job_id = started.json()["job_id"]
    connection.set_tenant(tenant)
    export_company(job_id)
    job = client.get(f"/api/v1/jobs/{job_id}/").json()
    assert job["status"] == "succeeded", job["error"]
    download = client.get(job["download_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    return job, zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))


def text_of(archive: zipfile.ZipFile, name: str) -> str:
    return archive.read(name).decode("utf-8")


def data_page_csv(kind) -> str:
    return "".join(data_export.csv_lines(kind, selectors.records(kind)))


def test_the_export_holds_every_kind_reimportable_as_is_and_kpis_goals_answers(acme, globex, acme_owner):
    connection.set_tenant(globex.tenant)
    Customer.objects.create(customer_id="GLOBEX-ONLY", name="Globex's own customer")
    connection.set_tenant(acme.tenant)
    fill_with_everything(acme.owner_email)
    expected = {kind.name: data_page_csv(kind) for kind in KINDS.values()}

    job, archive = exported(acme_owner, acme.tenant)

    assert job["progress"] == 100.0 and job["progress_total"] == job["result"]["rows"] > 0
    names = set(archive.namelist())
    assert names == {f"data/{kind}.csv" for kind in KINDS} | {"kpi_values.csv", "goals.csv", "survey_answers.csv"}
    for kind in KINDS.values():
        # What the Data page exports, with the kind's import header.
        assert text_of(archive, f"data/{kind.name}.csv") == expected[kind.name]
        assert text_of(archive, f"data/{kind.name}.csv").splitlines()[0] == ",".join(kind.column_names)
        assert len(text_of(archive, f"data/{kind.name}.csv").splitlines()) > 1, kind.name
    assert "mrr,2024-03,1234.5000000000" in text_of(archive, "kpi_values.csv")
    goals = text_of(archive, "goals.csv")
    assert "MRR to 2k" in goals and acme.owner_email in goals
    answers = text_of(archive, "survey_answers.csv")
    assert "Spring NPS" in answers and "Great reports" in answers and ",4," in answers
    assert not any("GLOBEX-ONLY" in text_of(archive, name) for name in names)

    # Imported as it is into another company, each file gives the same records back.
    connection.set_tenant(globex.tenant)
    Customer.objects.filter(customer_id="GLOBEX-ONLY").delete()
    for kind in KINDS.values():
        record = import_file(kind.name, archive.read(f"data/{kind.name}.csv"), name=f"{kind.name}.csv")
        assert record.job.status == Job.Status.SUCCEEDED, (kind.name, record.job.error, record.errors)
        assert record.rows_rejected == 0
    for kind in KINDS.values():
        assert data_page_csv(kind) == expected[kind.name], kind.name


def test_the_download_is_for_the_companys_owners_and_admins_only(acme, globex, acme_owner, globex_owner):
    connection.set_tenant(acme.tenant)
    job, _archive = exported(acme_owner, acme.tenant)
    path = job["download_url"].split("://", 1)[1].split("/", 1)[1]

    # Another company's owner, on their own host: no such export there.
    assert globex_owner.get(f"/{path}").status_code == 404
    # Their token on acme's host means nothing.
    assert host_client(acme.host, globex.owner_token).get(f"/{path}").status_code == 401
    # A member of acme (not an admin) is refused; so is anybody signed out.
    connection.set_tenant(acme.tenant)
    member = add_member(email="member@acme.example", password=None, role="member")
    assert host_client(acme.host, issue_token(member)).get(f"/{path}").status_code == 403
    assert host_client(acme.host, issue_token(member)).post("/api/v1/company/export/").status_code == 403
    assert host_client(acme.host).get(f"/{path}").status_code in (401, 403)
    # A second export replaces the first: the earlier link is gone, the new one works.
    second, _archive = exported(acme_owner, acme.tenant)
    assert acme_owner.get(job["download_url"]).status_code == 404
    assert acme_owner.get(second["download_url"]).status_code == 200
    # Another kind of job is not a download.
    connection.set_tenant(acme.tenant)
    other = Job.objects.create(kind="kpi_recompute", status=Job.Status.SUCCEEDED)
    assert acme_owner.get(f"/api/v1/company/export/{other.pk}/download/").status_code == 404


@pytest.mark.worker
def test_the_export_runs_on_a_worker_end_to_end(committed_db, worker):
    with company_of_its_own("export") as company:
        with schema_context(company.tenant.schema_name):
            Customer.objects.create(customer_id="W1", name="Worked")
        client = host_client(f"{company.domain}", company.token)
        job_id = client.post("/api/v1/company/export/").json()["job_id"]
        job = wait_for_job(job_id, company.tenant, timeout=60)
        assert job.status == Job.Status.SUCCEEDED, job.error
        body = client.get(f"/api/v1/jobs/{job_id}/").json()
        archive = zipfile.ZipFile(io.BytesIO(b"".join(client.get(body["download_url"]).streaming_content)))
        assert "W1,Worked" in text_of(archive, "data/customers.csv")
        connection.set_schema_to_public()


@pytest.fixture
def leaving(db):
    """A company of its own, inside the test's transaction, with its owner's token."""
    result = sign_up(company_name="Leaving Ltd", slug="leaving", email="owner@leaving.example", password=PASSWORD)
    connection.set_schema_to_public()
    return result


def test_deleting_needs_the_owner_and_the_typed_slug(leaving):
    tenant = leaving.tenant
    owner = host_client(leaving.domain, leaving.token)
    connection.set_tenant(tenant)
    admin = host_client(leaving.domain, issue_token(add_member(email="a@leaving.example", password=None, role="admin")))
    member = host_client(leaving.domain, issue_token(add_member(email="m@leaving.example", password=None, role="member")))

    assert admin.post("/api/v1/company/delete/", {"confirm": "leaving"}, format="json").status_code == 403
    assert member.post("/api/v1/company/delete/", {"confirm": "leaving"}, format="json").status_code == 403
    wrong = owner.post("/api/v1/company/delete/", {"confirm": "leavin"}, format="json")
    assert wrong.status_code == 400 and "confirm" in wrong.json()
    assert owner.post("/api/v1/company/delete/", {}, format="json").status_code == 400
    assert owner.post("/api/v1/company/delete/", {"confirm": 7}, format="json").status_code == 400
    fresh = Tenant.objects.get(pk=tenant.pk)
    assert fresh.status == Tenant.Status.ACTIVE and fresh.purge_after is None


def test_the_owner_deletes_it_is_suspended_with_a_purge_date_and_the_owners_are_told(
        leaving, smtp_sink, django_capture_on_commit_callbacks):
    Tenant.objects.filter(pk=leaving.tenant.pk).update(timezone="Asia/Tokyo")
    owner = host_client(leaving.domain, leaving.token)
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        answer = owner.post("/api/v1/company/delete/", {"confirm": " leaving "}, format="json")
    assert answer.status_code == 202
    tenant = Tenant.objects.get(pk=leaving.tenant.pk)
    assert tenant.status == Tenant.Status.SUSPENDED
    assert before <= tenant.deletion_requested_at <= timezone.now()
    assert tenant.purge_after == tenant.deletion_requested_at + timedelta(days=30)
    assert datetime.fromisoformat(answer.json()["purge_after"]) == tenant.purge_after
    assert answer.json()["purge_after"].endswith("+09:00")  # in the company's zone
    # Nothing on the host works any more; its page says when the data goes, in Tokyo time.
    assert owner.get("/api/v1/me/").status_code == 403
    tokyo = timezone.localtime(tenant.purge_after, tenant.zone)
    page = Client(HTTP_HOST=leaving.domain).get("/").content.decode()
    assert f"removed for good on {tokyo:%Y-%m-%d %H:%M} JST" in page
    [message] = [m for m in smtp_sink.messages if "owner@leaving.example" in m["To"]]
    assert "will be deleted" in message["Subject"]
    plain = mail_text(message)
    assert f"{tokyo:%Y-%m-%d %H:%M} (Asia/Tokyo)" in plain and "restore" in plain
    assert "Leaving Ltd" in html_of(message)


def test_the_platform_tenants_cannot_be_deleted(db):
    public = Tenant.objects.get(schema_name="public")
    user = type("Owner", (), {"is_authenticated": True})()
    with pytest.raises(Exception):
        services.request_deletion(tenant=public, by=user, confirm="public")
    assert Tenant.objects.get(schema_name="public").status == Tenant.Status.ACTIVE


def _stored_file(tenant: Tenant) -> Path:
    folder = Path(settings.MEDIA_ROOT) / tenant.schema_name / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "kept.zip"
    path.write_bytes(b"PK")
    return path


def test_the_purge_waits_for_the_date_then_removes_schema_files_and_mail_logs(
        leaving, acme, django_capture_on_commit_callbacks):
    tenant = leaving.tenant
    connection.set_tenant(tenant)
    survey, recipients = sent_survey(customers=2, name="Before leaving")
    assert SurveyRecipient.objects.filter(status="sent").count() == 2  # the survey's delivery log
    connection.set_schema_to_public()
    stored = _stored_file(tenant)
    owner = host_client(leaving.domain, leaving.token)
    assert owner.post("/api/v1/company/delete/", {"confirm": "leaving"}, format="json").status_code == 202
    tenant.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        assert services.purge_due_companies(now=tenant.purge_after - timedelta(minutes=1)) == []
    assert schema_exists(tenant.schema_name) and stored.exists()
    assert Tenant.objects.filter(pk=tenant.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        assert services.purge_due_companies(now=tenant.purge_after + timedelta(minutes=1)) == ["leaving"]
    assert not schema_exists(tenant.schema_name)  # every record, the delivery log with it
    assert not stored.exists() and not stored.parent.parent.exists()
    assert not Tenant.objects.filter(pk=tenant.pk).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = %s",
                       [tenant.schema_name])
        assert cursor.fetchone()[0] == 0
    # Other companies are untouched.
    assert schema_exists(acme.schema) and Tenant.objects.get(pk=acme.tenant.pk).status == Tenant.Status.ACTIVE
    assert acme_owner_can_still_read(acme)


def acme_owner_can_still_read(acme) -> bool:
    return host_client(acme.host, acme.owner_token).get("/api/v1/me/").status_code == 200


def test_a_suspended_company_not_deleted_is_never_purged(leaving):
    services.set_status(Tenant.objects.filter(pk=leaving.tenant.pk), Tenant.Status.SUSPENDED)
    assert services.purge_due_companies(now=timezone.now() + timedelta(days=3650)) == []
    assert schema_exists(leaving.tenant.schema_name)


def test_the_platform_admin_restores_within_the_grace_period_and_the_session_still_works(leaving):
    tenant = leaving.tenant
    connection.set_tenant(tenant)
    browser = Client(HTTP_HOST=leaving.domain)
    browser.force_login(get_user_model().objects.get(pk=leaving.user_id))
    connection.set_schema_to_public()
    assert browser.get("/").status_code == 200
    owner = host_client(leaving.domain, leaving.token)
    assert owner.post("/api/v1/company/delete/", {"confirm": "leaving"}, format="json").status_code == 202
    assert browser.get("/").status_code == 403  # the suspended page

    connection.set_schema_to_public()  # platform staff live in public
    get_user_model().objects.create_superuser("root", "root@localhost", "platform-pass-123!")
    staff = Client(HTTP_HOST="localhost")
    staff.force_login(get_user_model().objects.get(username="root"))
    usage = staff.get(f"/admin/tenants/tenant/{tenant.pk}/usage/")
    assert usage.status_code == 200 and b"Restore leaving" in usage.content
    assert staff.post(f"/admin/tenants/tenant/{tenant.pk}/restore/").status_code == 302

    restored = Tenant.objects.get(pk=tenant.pk)
    assert restored.status == Tenant.Status.ACTIVE
    assert restored.deletion_requested_at is None and restored.purge_after is None
    assert services.purge_due_companies(now=timezone.now() + timedelta(days=31)) == []
    assert schema_exists(tenant.schema_name)
    page = browser.get("/")  # the same session, not signed out
    assert page.status_code == 200 and b"Log in" not in page.content


def test_the_leave_page_exports_and_deletes(leaving, smtp_sink, django_capture_on_commit_callbacks):
    tenant = leaving.tenant
    connection.set_tenant(tenant)
    browser = Client(HTTP_HOST=leaving.domain)
    browser.force_login(get_user_model().objects.get(pk=leaving.user_id))
    admin = Client(HTTP_HOST=leaving.domain)
    admin.force_login(add_member(email="a@leaving.example", password=None, role="admin"))
    connection.set_schema_to_public()

    page = browser.get("/settings/leave/")
    assert page.status_code == 200 and b"Export all data" in page.content and b"Delete Leaving Ltd" in page.content
    admin_page = admin.get("/settings/leave/")
    assert admin_page.status_code == 200 and b"Export all data" in admin_page.content
    assert b"Delete Leaving Ltd" not in admin_page.content
    assert admin.post("/settings/leave/delete/", {"confirm": "leaving"}).status_code == 403

    fragment = browser.post("/settings/leave/export/", HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and b'hx-trigger="every 1s"' in fragment.content
    connection.set_tenant(tenant)
    job = Job.objects.get(kind="company_export")
    export_company(str(job.pk))
    connection.set_schema_to_public()
    done = browser.get(f"/settings/leave/export/{job.pk}/")
    assert b"every 1s" not in done.content and b"Download the export" in done.content

    wrong = browser.post("/settings/leave/delete/", {"confirm": "nope"})
    assert wrong.status_code == 400 and b"Type the company&#x27;s slug" in wrong.content
    with django_capture_on_commit_callbacks(execute=True):
        deleted = browser.post("/settings/leave/delete/", {"confirm": "leaving"})
    assert deleted.status_code == 302
    fresh = Tenant.objects.get(pk=tenant.pk)
    assert fresh.status == Tenant.Status.SUSPENDED
    suspended = browser.get("/")
    assert suspended.status_code == 403
    assert f"removed for good on {timezone.localtime(fresh.purge_after):%Y-%m-%d}" in suspended.content.decode()


def test_reactivating_a_deleted_company_takes_the_deletion_back(leaving):
    owner = host_client(leaving.domain, leaving.token)
    assert owner.post("/api/v1/company/delete/", {"confirm": "leaving"}, format="json").status_code == 202
    connection.set_schema_to_public()
    services.set_status(Tenant.objects.filter(pk=leaving.tenant.pk), Tenant.Status.ACTIVE)
    fresh = Tenant.objects.get(pk=leaving.tenant.pk)
    assert fresh.deletion_requested_at is None and fresh.purge_after is None
    # Suspended again by the platform later, it is still never purged.
    services.set_status(Tenant.objects.filter(pk=fresh.pk), Tenant.Status.SUSPENDED)
    assert services.purge_due_companies(now=timezone.now() + timedelta(days=365)) == []


def test_a_big_companys_export_goes_to_the_bulk_queue(in_acme, settings):
    settings.KPIHUB_BULK_RECOMPUTE_ROWS = 10**15
    assert route("tenants.tasks.export_company", [], {"job_id": "x"}, {})["queue"] != settings.KPIHUB_BULK_QUEUE
    settings.KPIHUB_BULK_RECOMPUTE_ROWS = 0
    assert route("tenants.tasks.export_company", [], {"job_id": "x"}, {})["queue"] == settings.KPIHUB_BULK_QUEUE
