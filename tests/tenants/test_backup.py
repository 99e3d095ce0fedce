"""Backup and restore of one tenant (issue 16, item 17), on the real PostgreSQL with
the real pg_dump: a company with two years of data (imports and their files, KPIs
computed by the engine, goals, survey answers, an uploaded file) is backed up,
dropped through the platform's delete path and restored, and reads exactly as before:
the same KPI answers from the API with the same token, the same rows in every table,
the same files. Restoring never touches another tenant, and a damaged archive is
refused with nothing half-restored."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import uuid
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
from celery.app.task import Task
from django.conf import settings
from django.core import signing
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django_tenants.utils import schema_context, schema_exists

from metrics.imports import running, services as imports
from metrics.kpis.compute import recompute_kpis
from metrics.models import Goal
from surveys import delivery, services as surveys
from surveys.models import Survey, SurveyRecipient
from tenants import backup
from tenants.demo import DEMO_EMAIL, fill_demo_data
from tenants.models import Domain, Tenant
from tenants.services import drop_tenant
from tenants.signup import sign_up, tenant_domain
from tests.conftest import host_client
from tests.metrics.imports.builders import csv_bytes, upload
from tests.support.tenants import company_of_its_own

PASSWORD = "correct-horse-battery-staple"


# --- What "the same" means ---------------------------------------------------------


def table_fingerprints(schema: str) -> dict[str, dict[str, tuple]]:
    """Every table's row count and a hash of all its rows; every sequence's position."""
    found = {"tables": {}, "sequences": {}}
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, relkind FROM pg_class WHERE relnamespace = %s::regnamespace "
                       "AND relkind IN ('r', 'S') ORDER BY relname", [schema])
        for name, kind in cursor.fetchall():
            if kind == "r":
                cursor.execute(f"SELECT count(*), md5(coalesce(string_agg(row::text, E'\\n' ORDER BY row::text), '')) "
                               f'FROM "{schema}"."{name}" AS row')
                found["tables"][name] = tuple(cursor.fetchone())
            else:
                cursor.execute(f'SELECT last_value, is_called FROM "{schema}"."{name}"')
                found["sequences"][name] = tuple(cursor.fetchone())
    return found


def stored_files(schema: str) -> dict[str, str]:
    root = Path(settings.MEDIA_ROOT) / schema
    return {path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*")) if path.is_file()}


def public_rows(slug: str) -> dict:
    with schema_context("public"):
        tenant = Tenant.objects.get(slug=slug)
        fields = {f.name: f.value_from_object(tenant) for f in Tenant._meta.concrete_fields if f.name != "id"}
        domains = list(Domain.objects.filter(tenant=tenant).values_list("domain", "is_primary"))
    return {"tenant": fields, "domains": domains}


def database_state(slug: str, schema: str) -> dict:
    return {"public": public_rows(slug), "tables": table_fingerprints(schema), "files": stored_files(schema)}


def api_answers(host: str, token: str) -> dict:
    """What a member reads through the API: every KPI of the month and its series,
    goals, imports, surveys and their responses."""
    api = host_client(host, token)

    def read(path: str):
        response = api.get(path)
        assert response.status_code == 200, (path, response.status_code, response.content[:300])
        return response.json()

    answers = {"/api/v1/kpis/": read("/api/v1/kpis/")}
    for kpi in answers["/api/v1/kpis/"]:
        for path in (f"/api/v1/kpis/{kpi['key']}/", f"/api/v1/kpis/{kpi['key']}/series/"):
            answers[path] = read(path)
    for path in ("/api/v1/goals/", "/api/v1/imports/?page_size=100", "/api/v1/surveys/",
                 "/api/v1/data/customers/?page_size=5", "/api/v1/data/invoices/?page_size=5"):
        answers[path] = read(path)
    for survey in answers["/api/v1/surveys/"]["results"]:
        path = f"/api/v1/surveys/{survey['id']}/responses/"
        answers[path] = read(path)
    return answers


# --- A company with everything -----------------------------------------------------


@contextmanager
def no_tasks_sent():
    """Building the company, the work the imports and the answer would queue for a
    worker (a KPI recompute) is done here instead: a worker another test started
    must not rewrite the company while it is compared."""
    sent = []
    with mock.patch.object(Task, "apply_async", lambda task, *a, **k: sent.append(task.name)):
        yield sent
    assert set(sent) <= {"metrics.kpis.tasks.recompute_kpis", "metrics.imports.tasks.run_data_import"}, sent


@pytest.fixture(scope="module")
def company(django_db_setup, django_db_blocker, tmp_path_factory):
    """Two years of sample data imported through the real pipeline and its KPIs computed
    (the demo company's), two goals, an uploaded CSV import, an NPS survey sent and
    answered; its state and API answers recorded, then its backup written. Committed
    (pg_dump reads through its own connection); dropped at the end."""
    slug = f"bk-{uuid.uuid4().hex[:8]}"
    try:
        with django_db_blocker.unblock():
            yield build_company(slug, tmp_path_factory.mktemp("backup") / f"{slug}.tar.gz")
    finally:
        with django_db_blocker.unblock():  # also when building it failed half-way
            connection.set_schema_to_public()
            for leftover in Tenant.objects.filter(slug=slug):
                drop_tenant(leftover)


def build_company(slug: str, archive: Path) -> Company:
    with no_tasks_sent():
        result = sign_up(company_name="Backed Up Ltd", slug=slug, email=DEMO_EMAIL, password=PASSWORD)
        tenant = result.tenant
        fill_demo_data(tenant)
        connection.set_tenant(tenant)
        owner = Goal.objects.first().created_by
        uploaded = imports.start_import(kind="customers", by=owner, upload=upload(csv_bytes(
            ["customer_id", "name", "email", "country"],
            [["up-1", "Ümlaut & Söhne", "ops@umlaut.example", "DE"],
             ["up-2", "Tab\tand \\ backslash", "tab@backslash.example", "FR"]]), "customers.csv"))
        running.run_import(import_id=str(uploaded.pk))
        uploaded.job.refresh_from_db()
        assert uploaded.job.status == "succeeded", uploaded.job.status
        survey = surveys.create_survey(type="nps", name="How likely?", base_url=f"http://{tenant_domain(slug)}/",
                                       audience="list", audience_customer_ids=["up-1", "up-2"], created_by=owner)
        Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.SENDING)
        delivery.deliver(survey_id=survey.pk)
        recipient = SurveyRecipient.objects.get(survey=survey, customer_id="up-1")
        surveys.record_response(recipient=recipient, score=9, comment="Clear numbers, line 1\nline 2")
        recompute_kpis()
        connection.set_schema_to_public()
    host = tenant_domain(slug)
    # The company is active, so a worker another test started may still evaluate every
    # active company's goals (a daily fan-out) while this one is recorded: the state and
    # answers are those of an archive taken with nothing written around it.
    for _ in range(5):
        answers = api_answers(host, result.token)
        state = database_state(slug, tenant.schema_name)
        call_command("backup_tenant", slug, str(archive))
        if database_state(slug, tenant.schema_name) == state:
            break
    else:
        raise AssertionError("something kept writing the company while it was backed up")
    return Company(slug=slug, schema=tenant.schema_name, host=host, token=result.token,
                   archive=archive, answers=answers, state=state)


class Company:
    def __init__(self, **fields):
        self.__dict__.update(fields)

    def drop(self) -> None:
        connection.set_schema_to_public()
        tenant = Tenant.objects.filter(slug=self.slug).first()
        if tenant is not None:
            drop_tenant(tenant)

    def present(self) -> None:
        """Restored if an earlier test left it dropped."""
        if not Tenant.objects.filter(slug=self.slug).exists():
            call_command("restore_tenant", str(self.archive))


def restore(archive: Path, *options: str) -> str:
    out = io.StringIO()
    call_command("restore_tenant", str(archive), *options, stdout=out)
    connection.set_schema_to_public()
    return out.getvalue()


def leftovers_of(company: Company) -> list[str]:
    """What is left of the company: tenant row, domain, schema, files or a staging folder."""
    connection.set_schema_to_public()
    media = Path(settings.MEDIA_ROOT)
    found = {"tenant row": Tenant.objects.filter(slug=company.slug).exists(),
             "domain": Domain.objects.filter(domain=company.host).exists(),
             "schema": schema_exists(company.schema),
             "files": (media / company.schema).exists(),
             "staging": bool(list(media.glob(".restore-*")))}
    return [what for what, present in found.items() if present]


# --- Export, drop, restore, same KPIs ----------------------------------------------


def test_a_dropped_company_restored_from_its_backup_reads_exactly_as_before(company, committed_db):
    company.drop()
    assert host_client(company.host, company.token).get("/api/v1/kpis/").status_code == 404
    assert leftovers_of(company) == []

    said = restore(company.archive)

    assert f"Restored {company.slug} ({company.schema})" in said
    assert database_state(company.slug, company.schema) == company.state
    # The same token still works (tokens live in the schema) and every answer is the same.
    assert api_answers(company.host, company.token) == company.answers
    assert company.answers["/api/v1/kpis/"] and any(
        kpi["key"] == "nps" and kpi["value"] is not None for kpi in company.answers["/api/v1/kpis/"])
    mrr = company.answers["/api/v1/kpis/mrr/series/"]["points"]
    assert len(mrr) >= 24 and all(point["value"] is not None for point in mrr[-12:])
    assert any(name.endswith("/customers.csv") for name in company.state["files"])


def test_a_backup_holds_the_schema_the_files_and_a_signed_manifest(company, committed_db):
    with tarfile.open(company.archive) as archive:
        names = archive.getnames()
        manifest = json.loads(archive.extractfile("manifest.json").read())
    assert names[0] == "schema.sql" and names[-2:] == ["manifest.json", "manifest.sig"]
    assert {name[len("files/"):] for name in names if name.startswith("files/")} == set(company.state["files"])
    assert manifest["tenant"]["slug"] == company.slug and manifest["schema"] == company.schema
    assert manifest["domains"] == [{"domain": company.host, "is_primary": True}]
    tables = company.state["tables"]["tables"]
    assert manifest["tables"] == {table: count for table, (count, _) in tables.items()}
    assert manifest["tables"]["metrics_kpivalue"] > 100 and manifest["tables"]["surveys_surveyresponse"] == 1
    assert ["metrics", "0001_initial"] in manifest["migrations"]
    assert company.archive.stat().st_mode & 0o077 == 0  # password hashes and tokens inside


def test_restoring_refuses_an_existing_company_unless_told_to_replace_it(company, committed_db):
    company.present()
    api = host_client(company.host, company.token)
    goal = api.get("/api/v1/goals/").json()[0]
    assert api.delete(f"/api/v1/goals/{goal['id']}/").status_code == 204
    changed = table_fingerprints(company.schema)

    with pytest.raises(CommandError, match="exists. Give --replace"):
        restore(company.archive)
    assert table_fingerprints(company.schema) == changed  # nothing was touched
    assert "would replace the existing tenant" in restore(company.archive, "--check", "--replace")
    assert table_fingerprints(company.schema) == changed

    said = restore(company.archive, "--replace")

    assert f"Replaced {company.slug}" in said
    assert database_state(company.slug, company.schema) == company.state
    assert api.get(f"/api/v1/goals/{goal['id']}/").json()["title"] == goal["title"]


@pytest.fixture
def other_company(committed_db):
    """Another company with its own data and uploaded file."""
    with company_of_its_own("bk-other") as made:
        with no_tasks_sent():
            connection.set_tenant(made.tenant)
            started = imports.start_import(kind="customers", upload=upload(csv_bytes(
                ["customer_id", "name", "email"], [["b-1", "Bee", "bee@other.example"]]), "theirs.csv"))
            running.run_import(import_id=str(started.pk))
            recompute_kpis()
            connection.set_schema_to_public()
        yield made


def test_restoring_one_company_leaves_another_untouched(company, other_company):
    tenant, token = other_company.tenant, other_company.token
    host = tenant_domain(tenant.slug)
    their_answers = api_answers(host, token)  # read first: reading stamps the last activity
    theirs = database_state(tenant.slug, tenant.schema_name)
    assert theirs["files"] and theirs["tables"]["tables"]["metrics_customer"][0] == 1

    company.drop()
    restore(company.archive)
    restore(company.archive, "--replace")

    assert database_state(tenant.slug, tenant.schema_name) == theirs
    assert api_answers(host, token) == their_answers
    # Each token still opens its own company only.
    assert host_client(host, company.token).get("/api/v1/kpis/").status_code == 401
    assert host_client(company.host, token).get("/api/v1/kpis/").status_code == 401


# --- Damaged archives --------------------------------------------------------------


def members_of(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive) as tar:
        return {member.name: tar.extractfile(member).read() for member in tar.getmembers()}


def written(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, body in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return path


def resigned(members: dict[str, bytes], **changes) -> dict[str, bytes]:
    """The members with the manifest changed and signed again with ``key``."""
    key = changes.pop("key", settings.SECRET_KEY)
    manifest = json.loads(members["manifest.json"])
    for name, body in members.items():
        if name in manifest["members"]:
            manifest["members"][name] = {"size": len(body), "sha256": hashlib.sha256(body).hexdigest()}
    manifest.update(changes)
    body = json.dumps(manifest).encode()
    signer = signing.Signer(key=key, salt="tenants.backup.manifest")
    return {**members, "manifest.json": body, "manifest.sig": signer.sign(hashlib.sha256(body).hexdigest()).encode()}


def damaged_archives(source: Path, folder: Path) -> dict[str, tuple[Path, str]]:
    data = source.read_bytes()
    members = members_of(source)
    dump = members["schema.sql"]
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0xFF

    def file(name: str, body: bytes) -> Path:
        (folder / name).write_bytes(body)
        return folder / name

    first_file = next(name for name in members if name.startswith("files/"))
    return {
        "cut in half": (file("half.tar.gz", data[: len(data) // 2]), "damaged or truncated"),
        "cut short of its end": (file("short.tar.gz", data[:-300]), "damaged or truncated|no signed manifest"),
        "a byte flipped": (file("flipped.tar.gz", bytes(flipped)),
                           "damaged or truncated|not what was archived|no signed manifest"),
        "not an archive": (file("text.tar.gz", b"hello"), "damaged or truncated"),
        "a file changed": (written(folder / "file.tar.gz", {**members, first_file: b"changed"}),
                           "not what was archived"),
        "a file missing": (written(folder / "missing.tar.gz", {k: v for k, v in members.items() if k != first_file}),
                           "does not match its manifest"),
        "the dump changed": (written(folder / "dump1.tar.gz", {**members, "schema.sql": dump + b"DROP SCHEMA public;"}),
                             "not what was archived"),
        "the dump changed, signed elsewhere": (
            written(folder / "dump.tar.gz", {**resigned({**members, "schema.sql": dump.replace(b"Backed Up", b"Hacked Up")},
                                                        key="another-platform-" + "x" * 40)}),
            "signature does not match"),
        "the manifest edited": (
            written(folder / "manifest.tar.gz", {**members, "manifest.json": members["manifest.json"].replace(
                company_slug(members).encode(), b"globex")}), "changed after the archive was made"),
        "a member outside": (written(folder / "outside.tar.gz", {**members, "../escape.txt": b"x"}),
                             "unexpected member"),
    }


def company_slug(members: dict[str, bytes]) -> str:
    return json.loads(members["manifest.json"])["tenant"]["slug"]


def test_a_damaged_or_tampered_archive_is_refused_and_nothing_is_restored(company, committed_db, tmp_path):
    company.drop()
    for what, (archive, reason) in damaged_archives(company.archive, tmp_path).items():
        with pytest.raises(CommandError, match=reason):
            restore(archive)
        assert leftovers_of(company) == [], what


def test_a_restore_that_fails_midway_leaves_nothing_and_a_replaced_company_as_it_was(company, committed_db, tmp_path):
    """A signed archive whose SQL fails in its last table (a value the column refuses):
    the rows already loaded, the tenant row and the domain are all rolled back."""
    members = members_of(company.archive)
    dump = members["schema.sql"].decode()
    last_copy = dump.rindex("\nCOPY ")
    row_start = dump.index("\n", last_copy + 1) + 1
    if dump.startswith("\\.", row_start):  # the last table is empty: break the one before
        last_copy = dump.rindex("\nCOPY ", 0, last_copy)
        row_start = dump.index("\n", last_copy + 1) + 1
    broken = dump[:row_start] + "not-a-number\t" + dump[row_start:]
    archive = written(tmp_path / "broken.tar.gz", resigned({**members, "schema.sql": broken.encode()}))

    company.drop()
    with pytest.raises(CommandError, match="database refused"):
        restore(archive)
    assert leftovers_of(company) == []

    company.present()
    before = database_state(company.slug, company.schema)
    with pytest.raises(CommandError, match="database refused"):
        restore(archive, "--replace")
    assert database_state(company.slug, company.schema) == before
    assert host_client(company.host, company.token).get("/api/v1/kpis/").status_code == 200


def test_platform_tenants_and_unknown_slugs_are_not_backed_up(committed_db, tmp_path):
    for slug in ("public", "tenant-template"):
        with pytest.raises(CommandError, match="not a company's tenant"):
            call_command("backup_tenant", slug, str(tmp_path / f"{slug}.tar.gz"))
    with pytest.raises(CommandError, match="No tenant with the slug"):
        call_command("backup_tenant", "no-such-company", str(tmp_path / "none.tar.gz"))
    assert not list(tmp_path.iterdir())


def test_an_existing_file_is_never_overwritten_by_a_backup(company, committed_db, tmp_path):
    company.present()
    target = tmp_path / "kept.tar.gz"
    target.write_bytes(b"precious")
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup_tenant", company.slug, str(target))
    assert target.read_bytes() == b"precious"


def test_pg_dump_is_chosen_for_the_servers_major_version(committed_db):
    tool = backup.pg_dump_for(connection.pg_version)
    assert tool.major >= connection.pg_version // 10000 and "PostgreSQL" in tool.version
    with pytest.raises(backup.BackupError, match="No pg_dump for PostgreSQL 99"):
        backup.pg_dump_for(990000)


def applied_migrations(schema: str) -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT app, name FROM "{schema}".django_migrations')
        return set(cursor.fetchall())


def test_a_backup_made_before_a_migration_is_migrated_forward_when_restored(committed_db, tmp_path):
    """The platform was upgraded since the backup: the schema comes back as it was
    archived and is migrated to this version in the same transaction."""
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    # The latest migration of one of ours that nothing depends on: reversing it reverses it alone.
    latest = next(node for app in ("metrics", "surveys", "accounts", "jobs", "audit")
                  for node in graph.leaf_nodes(app) if not graph.node_map[node].children
                  and any(parent.key[0] == app for parent in graph.node_map[node].parents)
                  and all(operation.reversible for operation in graph.nodes[node].operations))
    before = next(parent for parent in graph.node_map[latest].parents if parent.key[0] == latest[0]).key
    slug = f"bk-old-{uuid.uuid4().hex[:8]}"
    made = sign_up(company_name="Old Ltd", slug=slug, email=f"owner@{slug}.example", password=PASSWORD)
    schema = made.tenant.schema_name
    try:
        call_command("migrate_schemas", before[0], before[1], schema_name=schema, interactive=False, verbosity=0)
        connection.set_schema_to_public()
        assert latest not in applied_migrations(schema)
        call_command("backup_tenant", slug, str(tmp_path / "old.tar.gz"))
        drop_tenant(Tenant.objects.get(slug=slug))

        said = restore(tmp_path / "old.tar.gz")

        assert f"then migrated: {latest[0]}.{latest[1]}" in said
        assert applied_migrations(schema) == applied_migrations(settings.TENANT_BASE_SCHEMA)
        assert host_client(tenant_domain(slug), made.token).get("/api/v1/me/").status_code == 200
    finally:
        connection.set_schema_to_public()
        for tenant in Tenant.objects.filter(slug=slug):
            drop_tenant(tenant)
