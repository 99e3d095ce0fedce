"""Backup and restore of one tenant: its schema (every table, row and sequence) and
its stored files, in one archive that a running platform can take back.

The archive is a gzipped tar (docs/backup.md):

* ``schema.sql``: ``pg_dump --schema=<schema>`` in plain SQL, as pg_dump wrote it;
* ``files/...``: everything under ``MEDIA_ROOT/<schema>/`` (uploads, rejected rows,
  pending previews), as stored;
* ``manifest.json``: the tenant and domain rows (they live in public), the tenant
  migrations its schema had, every table's row count, every member's size and SHA-256;
* ``manifest.sig``: the manifest's hash signed with the platform's SECRET_KEY, so
  that only an archive this platform wrote (and nobody changed) is ever executed.

Restoring reads and checks the whole archive into a staging folder before touching
anything, then creates the tenant row, its domain, its schema and every row in ONE
transaction on the platform's own connection (PostgreSQL DDL is transactional): a
damaged archive, a failing statement or a row count that differs leaves nothing
behind. The files are moved into place once that transaction has committed. The
SQL is run through psycopg (``COPY ... FROM STDIN`` for the rows), so restoring
needs no PostgreSQL client programs; only making a backup needs ``pg_dump``.

Users, memberships, tokens and sessions live in the tenant's schema
(docs/architecture.md, "Tenancy"), so the dump carries them.
"""

from __future__ import annotations

import glob
import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import time
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

import psycopg
from django.apps import apps
from django.conf import settings
from django.core import signing
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django_tenants.utils import schema_context, schema_exists

from tenants.models import Domain, Tenant
from tenants.services import drop_tenant
from tenants.signup import schema_name_for, tenant_domain

FORMAT = "kpihub-tenant-backup"
VERSION = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
DUMP = "schema.sql"
FILES = "files"
_SIGNING_SALT = "tenants.backup.manifest"
_COPY_CHUNK = 1 << 20  # rows are sent to COPY in about 1 MB pieces
_SCHEMA_NAME = re.compile(r"^t_[a-z0-9_]{1,60}$")


class BackupError(Exception):
    """Why a backup or a restore was refused; nothing was changed."""


@dataclass
class BackupSummary:
    slug: str
    schema: str
    path: Path
    tables: dict[str, int]
    files: int
    size: int
    seconds: float

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


@dataclass
class RestoreSummary:
    slug: str
    schema: str
    domain: str
    tables: dict[str, int]
    files: int
    replaced: bool
    migrated: list[str] = field(default_factory=list)
    seconds: float = 0.0
    checked_only: bool = False

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


# --- Backup ------------------------------------------------------------------------


def backup_tenant(*, slug: str, destination: Path) -> BackupSummary:
    """Write the tenant's archive to ``destination`` (refused if it exists). The
    archive appears under its name only once complete."""
    started = time.monotonic()
    destination = Path(destination)
    if destination.exists():
        raise BackupError(f"{destination} already exists; choose another name.")
    if not destination.parent.is_dir():
        raise BackupError(f"{destination.parent} is not a folder.")
    with schema_context("public"):
        tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is None:
            raise BackupError(f"No tenant with the slug {slug!r}.")
        _refuse_platform_schema(tenant.schema_name, tenant.slug)
        tenant_fields = _row_fields(tenant)
        domains = [{"domain": d.domain, "is_primary": d.is_primary}
                   for d in Domain.objects.filter(tenant=tenant).order_by("domain")]
        server_version = connection.pg_version

    partial = destination.with_name(f".{destination.name}.{uuid.uuid4().hex[:8]}.partial")
    try:
        with tempfile.TemporaryDirectory(prefix="kpihub-backup-") as work:
            dump_path = Path(work) / DUMP
            dump = _dump_schema(tenant.schema_name, dump_path, server_version)
            members = {DUMP: {"size": dump_path.stat().st_size, "sha256": dump.sha256}}
            # The archive holds password hashes and API tokens: readable by its owner only.
            with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out, \
                    tarfile.open(fileobj=out, mode="w:gz", compresslevel=6) as archive:
                archive.add(dump_path, arcname=DUMP, recursive=False, filter=_anonymous)
                files = Path(settings.MEDIA_ROOT) / tenant.schema_name
                for path, name in _stored_files(files):
                    added = _add_file(archive, path, f"{FILES}/{name}")
                    if added is not None:
                        members[f"{FILES}/{name}"] = added
                manifest = {
                    "format": FORMAT, "version": VERSION,
                    "created_at": timezone.now().isoformat(),
                    "tenant": tenant_fields, "domains": domains, "schema": tenant.schema_name,
                    "postgres": {"server": server_version, "pg_dump": dump.tool_version},
                    "migrations": dump.migrations, "tables": dump.tables, "members": members,
                }
                body = json.dumps(manifest, indent=1, sort_keys=True).encode()
                _add_bytes(archive, MANIFEST, body)
                _add_bytes(archive, SIGNATURE, _signer().sign(_sha256(body)).encode())
        try:
            os.link(partial, destination)  # never replaces a file made meanwhile
        except FileExistsError as exc:
            raise BackupError(f"{destination} already exists; choose another name.") from exc
        except OSError:  # a file system without hard links
            os.replace(partial, destination)
    finally:
        partial.unlink(missing_ok=True)
    return BackupSummary(slug=tenant.slug, schema=tenant.schema_name, path=destination,
                         tables=dump.tables, files=len(members) - 1,
                         size=destination.stat().st_size, seconds=time.monotonic() - started)


@dataclass
class _Dump:
    sha256: str
    tables: dict[str, int]
    migrations: list[list[str]]
    tool_version: str


def _dump_schema(schema: str, path: Path, server_version: int) -> _Dump:
    """Run pg_dump into ``path`` and read what it wrote as it goes: each table's row
    count (its COPY block) and the migrations recorded in the schema."""
    tool = pg_dump_for(server_version)
    params = connection.settings_dict
    # The same server and database as the platform's connection; what the settings
    # leave empty falls to libpq's defaults, as it does for Django.
    given = {"PGDATABASE": params["NAME"], "PGUSER": params.get("USER"),
             "PGPASSWORD": params.get("PASSWORD"), "PGHOST": params.get("HOST"),
             "PGPORT": params.get("PORT"), "PGCONNECT_TIMEOUT": "10",
             **{f"PG{option.upper()}": params.get("OPTIONS", {}).get(option)
                for option in ("sslmode", "sslrootcert", "sslcert", "sslkey")}}
    env = {**os.environ, **{name: str(value) for name, value in given.items() if value}}
    command = [tool.path, f"--schema={schema}", "--format=plain", "--encoding=UTF8",
               "--no-owner", "--no-privileges", "--no-tablespaces", "--no-security-labels",
               "--no-publications", "--no-subscriptions", "--lock-wait-timeout=30s"]
    digest, tables, migrations = hashlib.sha256(), {}, []
    prefix = f"COPY {schema}.".encode()
    with tempfile.TemporaryFile() as errors, path.open("wb") as out:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, env=env)
        try:
            table, columns = None, []
            for line in process.stdout:
                out.write(line)
                digest.update(line)
                if table is not None:
                    if line == b"\\.\n":
                        table = None
                        continue
                    tables[table] += 1
                    if table == "django_migrations":
                        row = dict(zip(columns, line.rstrip(b"\n").decode().split("\t")))
                        migrations.append([row["app"], row["name"]])
                elif line.startswith(prefix) and line.endswith(b" FROM stdin;\n"):
                    table, columns = _copy_target(line.decode(), schema)
                    tables[table] = 0
        except BaseException:
            process.kill()
            process.wait()
            raise
        if process.wait() != 0:
            errors.seek(0)
            raise BackupError(f"pg_dump failed: {errors.read().decode(errors='replace').strip()}")
    if "django_migrations" not in tables:
        raise BackupError(f"pg_dump wrote no tables for {schema}; is it a tenant schema?")
    return _Dump(sha256=digest.hexdigest(), tables=tables, migrations=sorted(migrations),
                 tool_version=tool.version)


_COPY_LINE = re.compile(r'^COPY (?P<schema>\w+)\.(?P<table>"?\w+"?) \((?P<columns>[^)]*)\) FROM stdin;$')


def _copy_target(line: str, schema: str) -> tuple[str, list[str]]:
    match = _COPY_LINE.match(line.rstrip("\n"))
    if match is None or match["schema"] != schema:
        raise BackupError(f"Unexpected COPY statement: {line[:120]!r}")
    columns = [name.strip().strip('"') for name in match["columns"].split(",")]
    return match["table"].strip('"'), columns


@dataclass(frozen=True)
class PgDump:
    path: str
    major: int
    version: str


def pg_dump_for(server_version: int) -> PgDump:
    """The pg_dump to use with a server of ``server_version`` (``150020``): one of
    the same major version, else the oldest newer one (pg_dump refuses older servers
    than itself only, never newer ones). Looked for on PATH, in the embedded
    pgserver's own binaries, and in Debian's /usr/lib/postgresql/<major>/bin."""
    server_major = server_version // 10000
    found: dict[str, PgDump] = {}
    for path in _pg_dump_candidates():
        if path in found:
            continue
        try:
            text = subprocess.run([path, "--version"], capture_output=True, text=True,
                                  timeout=10, check=True).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            continue
        major = re.search(r"\(PostgreSQL\)\s+(\d+)", text)
        if major:
            found[path] = PgDump(path=path, major=int(major.group(1)), version=text)
    usable = sorted((tool for tool in found.values() if tool.major >= server_major),
                    key=lambda tool: tool.major)
    if not usable:
        seen = ", ".join(f"{tool.path} ({tool.major})" for tool in found.values()) or "none"
        raise BackupError(f"No pg_dump for PostgreSQL {server_major} or newer (found: {seen}). "
                          f"Install the PostgreSQL {server_major} client programs or put their "
                          "bin folder first on PATH.")
    return usable[0]


def _pg_dump_candidates() -> Iterator[str]:
    on_path = shutil.which("pg_dump")
    if on_path:
        yield os.path.realpath(on_path)
    embedded = importlib.util.find_spec("pgserver")
    if embedded is not None and embedded.submodule_search_locations:
        for folder in embedded.submodule_search_locations:
            yield str(Path(folder) / "pginstall" / "bin" / "pg_dump")
    yield from sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"))


def _stored_files(root: Path) -> Iterator[tuple[Path, str]]:
    """The tenant's regular files (links and other oddities are not followed)."""
    if not root.is_dir():
        return
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted(names):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                yield path, path.relative_to(root).as_posix()


def _add_file(archive: tarfile.TarFile, path: Path, name: str) -> dict | None:
    """Add one stored file, hashing it as it is read; None if it went away meanwhile
    (a preview's upload expired)."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return None
    with handle:
        info = _anonymous(archive.gettarinfo(fileobj=handle, arcname=name))
        reader = _HashingReader(handle)
        archive.addfile(info, reader)
    return {"size": info.size, "sha256": reader.digest.hexdigest()}


def _anonymous(info: tarfile.TarInfo) -> tarfile.TarInfo:
    """No user or group of the machine that made the archive."""
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def _row_fields(row) -> dict:
    """A public-schema row's own fields as JSON values (times in full, to the
    microsecond: Django's JSON encoder would cut them to milliseconds)."""
    fields = {}
    for model_field in type(row)._meta.concrete_fields:
        if model_field.primary_key or model_field.is_relation:
            continue
        value = model_field.value_from_object(row)
        if not (value is None or isinstance(value, (str, int, float, bool))):
            value = model_field.value_to_string(row)
        fields[model_field.name] = value
    return fields


def _add_bytes(archive: tarfile.TarFile, name: str, body: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(body), int(time.time()), 0o644
    archive.addfile(info, _BytesReader(body))


class _HashingReader:
    def __init__(self, handle: IO[bytes]):
        self.handle, self.digest = handle, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self.handle.read(size)
        self.digest.update(chunk)
        return chunk


class _BytesReader:
    def __init__(self, body: bytes):
        self.body, self.offset = body, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.body) if size < 0 else self.offset + size
        chunk, self.offset = self.body[self.offset:end], min(end, len(self.body))
        return chunk


# --- Restore -----------------------------------------------------------------------


def restore_tenant(*, archive: Path, replace: bool = False, check_only: bool = False) -> RestoreSummary:
    """Bring the archived tenant back into this platform. Refused (nothing changed)
    when the archive is damaged, not signed by this platform, made by newer code, or
    when its slug, schema, domain or files are taken, unless ``replace`` (which
    drops the tenant of the same slug first, in the same transaction; never any
    other). ``check_only`` reads and checks everything and changes nothing."""
    if connection.in_atomic_block:
        # The files move in once the restore has committed, after the replaced
        # tenant's folder is removed; inside a caller's transaction neither happens.
        raise RuntimeError("restore_tenant() commits its own transaction; call it outside one.")
    started = time.monotonic()
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)
    # Staged beside the tenants' folders, so moving the files in is one rename.
    staging = media / f".restore-{uuid.uuid4().hex}"
    keep_staging = False
    try:
        manifest = _unpack(Path(archive), staging)
        schema, slug = manifest["schema"], manifest["tenant"]["slug"]
        pending = _migrations_to_apply(manifest)
        existing = _conflicts(manifest, replace=replace)
        summary = RestoreSummary(slug=slug, schema=schema, domain=tenant_domain(slug),
                                 tables=manifest["tables"],
                                 files=sum(1 for m in manifest["members"] if m.startswith(f"{FILES}/")),
                                 replaced=existing is not None, migrated=pending, checked_only=check_only)
        if check_only:
            return summary
        _restore_in_one_transaction(manifest, staging, existing, pending)
        # Committed, and the replaced tenant's folder is gone (drop_tenant's on_commit).
        try:
            _move_files_in(staging / FILES, media / schema)
        except OSError as exc:
            keep_staging = True
            raise BackupError(f"The tenant's schema is restored but its files could not be moved "
                              f"into place ({exc}): move {staging / FILES} to {media / schema}.") from exc
        forget_cached(schema)
    finally:
        if not keep_staging:
            shutil.rmtree(staging, ignore_errors=True)
    summary.seconds = time.monotonic() - started
    return summary


def _unpack(archive: Path, staging: Path) -> dict:
    """Extract the archive into ``staging`` and check it whole: every member listed
    in the signed manifest, of its size and hash, and nothing else."""
    if not archive.is_file():
        raise BackupError(f"{archive} is not a file.")
    staging.mkdir()
    seen: dict[str, dict] = {}
    raw: dict[str, bytes] = {}
    try:
        with tarfile.open(archive, "r|gz") as stream:
            for member in stream:
                name = _safe_member_name(member)
                if name in seen or name in raw:
                    raise BackupError(f"The archive holds {name} twice.")
                if member.isdir():
                    continue
                if not member.isfile():
                    raise BackupError(f"The archive holds {name}, which is not a plain file.")
                source = stream.extractfile(member)
                if name in (MANIFEST, SIGNATURE):
                    raw[name] = source.read(1 << 24)
                    continue
                target = staging / name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest, size = hashlib.sha256(), 0
                with target.open("wb") as out:
                    while chunk := source.read(1 << 20):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                seen[name] = {"size": size, "sha256": digest.hexdigest()}
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        if isinstance(exc, OSError) and exc.errno is not None:  # this machine's, not the archive's
            raise BackupError(f"Could not unpack the archive under {staging.parent} ({exc}); "
                              "nothing was restored.") from exc
        raise BackupError(f"The archive is damaged or truncated ({exc or type(exc).__name__}); "
                          "nothing was restored.") from exc
    if MANIFEST not in raw or SIGNATURE not in raw:
        raise BackupError("The archive has no signed manifest (truncated, or not a KPI Hub "
                          "tenant backup); nothing was restored.")
    try:
        signed = _signer().unsign(raw[SIGNATURE].decode())
    except (signing.BadSignature, UnicodeDecodeError) as exc:
        raise BackupError("The archive's signature does not match: it was changed, or made by "
                          "a platform with another SECRET_KEY; nothing was restored.") from exc
    if signed != _sha256(raw[MANIFEST]):
        raise BackupError("The manifest was changed after the archive was made; nothing was restored.")
    manifest = json.loads(raw[MANIFEST])
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError(f"Unknown archive format {manifest.get('format')!r} "
                          f"version {manifest.get('version')!r}.")
    listed = manifest["members"]
    if set(listed) != set(seen):
        missing, extra = sorted(set(listed) - set(seen)), sorted(set(seen) - set(listed))
        raise BackupError(f"The archive does not match its manifest (missing: {missing[:5]}, "
                          f"not listed: {extra[:5]}); nothing was restored.")
    for name, expected in listed.items():
        if seen[name] != expected:
            raise BackupError(f"{name} is not what was archived (size or SHA-256 differs); "
                              "nothing was restored.")
    schema, slug = manifest["schema"], manifest["tenant"].get("slug", "")
    _refuse_platform_schema(schema, slug)
    if schema != schema_name_for(slug):
        raise BackupError(f"The archive's schema {schema!r} does not belong to the slug {slug!r}.")
    return manifest


def _safe_member_name(member: tarfile.TarInfo) -> str:
    path = PurePosixPath(member.name)
    if (path.is_absolute() or ".." in path.parts or not path.parts
            or not (str(path) in (MANIFEST, SIGNATURE, DUMP) or path.parts[0] == FILES)
            or "\\" in member.name or "\x00" in member.name):
        raise BackupError(f"The archive holds an unexpected member {member.name!r}; nothing was restored.")
    return str(path)


def _refuse_platform_schema(schema: str, slug: str) -> None:
    if (schema in (settings.PUBLIC_SCHEMA_NAME, settings.TENANT_BASE_SCHEMA)
            or not _SCHEMA_NAME.match(schema) or slug in settings.RESERVED_SLUGS):
        raise BackupError(f"{slug!r} ({schema}) is not a company's tenant; the platform's own "
                          "schemas are not backed up or restored this way.")


def _migrations_to_apply(manifest: dict) -> list[str]:
    """The tenant migrations this code has that the archive's schema had not run.
    An archive with migrations this code does not know is refused (made by a newer
    version: upgrade the platform first)."""
    loader = MigrationLoader(None, ignore_no_migrations=True, load=True)
    tenant_labels = {config.label for config in apps.get_app_configs()
                     if config.name in settings.TENANT_APPS}
    on_disk = {f"{app}.{name}" for app, name in loader.disk_migrations if app in tenant_labels}
    archived = {f"{app}.{name}" for app, name in manifest["migrations"] if app in tenant_labels}
    unknown = archived - on_disk
    if unknown:
        raise BackupError(f"The archive's schema ran migrations this platform does not have "
                          f"({', '.join(sorted(unknown)[:5])}): restore it into the version "
                          "that made it, or a newer one.")
    return sorted(on_disk - archived)


def _conflicts(manifest: dict, *, replace: bool) -> Tenant | None:
    """What stands in the way, refused unless ``replace``; returns the tenant that
    ``replace`` will drop (None if there is none)."""
    schema, slug = manifest["schema"], manifest["tenant"]["slug"]
    with schema_context("public"):
        by_slug = Tenant.objects.filter(slug=slug).first()
        by_schema = Tenant.objects.filter(schema_name__iexact=schema).first()
        if by_slug != by_schema:
            raise BackupError(f"The slug {slug!r} and the schema {schema!r} belong to different "
                              "tenants here; nothing was restored.")
        existing = by_slug
        if existing is not None and existing.status == Tenant.Status.TEMPLATE:
            raise BackupError("The archive names the template tenant; nothing was restored.")
        for domain in _domains_of(manifest):
            holder = Domain.objects.filter(domain=domain).select_related("tenant").first()
            if holder is not None and holder.tenant != existing:
                raise BackupError(f"The domain {domain} belongs to the tenant {holder.tenant.slug!r}; "
                                  "nothing was restored.")
        orphan_schema = existing is None and schema_exists(schema)
    orphan_files = existing is None and (Path(settings.MEDIA_ROOT) / schema).exists()
    if not replace:
        if existing is not None:
            raise BackupError(f"The tenant {slug!r} exists. Give --replace to drop it and restore "
                              "the archive in its place.")
        if orphan_schema or orphan_files:
            raise BackupError(f"A schema or files folder named {schema} exists without a tenant "
                              "(an interrupted restore?). Give --replace to remove them.")
    return existing


def _domains_of(manifest: dict) -> list[str]:
    """This platform's domain for the slug first, then any other domain the tenant had
    (a domain under another base domain is not carried over)."""
    slug = manifest["tenant"]["slug"]
    others = [d["domain"] for d in manifest["domains"]
              if d["domain"].endswith(f".{settings.BASE_DOMAIN}") and d["domain"] != tenant_domain(slug)]
    return [tenant_domain(slug), *others]


def _restore_in_one_transaction(manifest: dict, staging: Path, existing: Tenant | None,
                                pending: list[str]) -> None:
    """The tenant and domain rows, the schema and its rows, all or nothing."""
    try:
        _restore_rows(manifest, staging, existing, pending)
    except (DatabaseError, psycopg.Error) as exc:
        raise BackupError(f"The database refused the archive ({str(exc).strip()[:300]}); "
                          "everything was rolled back, nothing was restored.") from exc
    finally:
        # django-tenants remembers the search path it set last; the rollback or pg_dump's
        # own setting changed it behind its back.
        connection.search_path_set_schemas = None
        connection.set_schema_to_public()


def _restore_rows(manifest: dict, staging: Path, existing: Tenant | None, pending: list[str]) -> None:
    schema = manifest["schema"]
    with schema_context("public"), transaction.atomic():
        with connection.cursor() as cursor:
            # Two restores of one archive at once: the second waits here, then fails on
            # the tenant's unique slug instead of interleaving.
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"restore:{schema}"])
        if existing is not None:
            drop_tenant(existing)  # the platform's delete path; its files go on commit
        elif schema_exists(schema):
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA "{schema}" CASCADE')
        tenant = _tenant_row(manifest)
        for index, domain in enumerate(_domains_of(manifest)):
            Domain.objects.create(domain=domain, tenant=tenant, is_primary=index == 0)
        _run_dump(staging / DUMP, schema)
        _check_counts(schema, manifest["tables"])
        if pending:
            call_command("migrate_schemas", schema_name=schema, interactive=False, verbosity=0)


def _tenant_row(manifest: dict) -> Tenant:
    known = {model_field.name: model_field for model_field in Tenant._meta.concrete_fields
             if not (model_field.primary_key or model_field.is_relation)}
    # A field this version no longer has is left out; one the archive lacks gets its default.
    tenant = Tenant(**{name: known[name].to_python(value)
                       for name, value in manifest["tenant"].items() if name in known})
    created_at = tenant.created_at  # set again on insert (auto_now_add): keep the company's own
    tenant.auto_create_schema = False  # the dump creates it, in this transaction
    tenant.save(verbosity=0)
    Tenant.objects.filter(pk=tenant.pk).update(created_at=created_at)
    tenant.created_at = created_at
    return tenant


_SESSION_SET = re.compile(rb"^SET (\w+) = (.*);\n$")
_SEARCH_PATH = b"SELECT pg_catalog.set_config('search_path', '', false);\n"


def _run_dump(path: Path, schema: str) -> None:
    """Run pg_dump's plain SQL on this connection, inside the caller's transaction:
    statements as they come, each COPY block streamed to ``COPY ... FROM STDIN``.
    pg_dump's session settings are made transaction-local, so the platform's
    connection is as before once the transaction ends."""
    raw = connection.cursor().cursor  # psycopg's own cursor, for copy()
    statements: list[bytes] = []

    def flush() -> None:
        text = b"".join(statements).decode()
        statements.clear()
        if text.strip():
            raw.execute(text)

    with path.open("rb") as dump:
        for line in dump:
            if line.startswith(b"COPY "):
                flush()
                _copy_target(line.decode(), schema)
                _copy_block(raw, line.decode().rstrip("\n").rstrip(";"), dump)
            elif line.startswith(b"\\"):
                # psql's \restrict / \unrestrict guard lines (pg_dump 15.14+, 16.10+,
                # 17.6+): meaningless here. Any other psql command is not from pg_dump.
                if not line.startswith((b"\\restrict ", b"\\unrestrict ")):
                    raise BackupError(f"Unexpected line in the dump: {line[:80]!r}")
            elif line == _SEARCH_PATH:
                statements.append(b"SELECT pg_catalog.set_config('search_path', '', true);\n")
            elif match := _SESSION_SET.match(line):
                statements.append(b"SET LOCAL " + match[1] + b" = " + match[2] + b";\n")
            else:
                statements.append(line)
        flush()
    connection.search_path_set_schemas = None  # pg_dump's own search path is set: set ours again


def _copy_block(raw, statement: str, dump: IO[bytes]) -> None:
    buffer: list[bytes] = []
    size = 0
    with raw.copy(statement) as copy:
        for line in dump:
            if line == b"\\.\n":
                break
            buffer.append(line)
            size += len(line)
            if size >= _COPY_CHUNK:
                copy.write(b"".join(buffer))
                buffer, size = [], 0
        else:
            raise BackupError("The dump ends inside a COPY block.")
        if buffer:
            copy.write(b"".join(buffer))


def _check_counts(schema: str, expected: dict[str, int]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relnamespace = %s::regnamespace "
                       "AND relkind IN ('r', 'p')", [schema])
        tables = {name for (name,) in cursor.fetchall()}
        if tables != set(expected):
            raise BackupError(f"The restored schema's tables differ from the archive's "
                              f"({sorted(tables ^ set(expected))[:5]}); nothing was restored.")
        for table, count in expected.items():
            cursor.execute(f'SELECT count(*) FROM "{schema}"."{table}"')
            if cursor.fetchone()[0] != count:
                raise BackupError(f"{table} holds a different number of rows than archived; "
                                  "nothing was restored.")


def _move_files_in(staged: Path, target: Path) -> None:
    if target.exists():  # files of a schema that had no tenant (refused without --replace)
        shutil.rmtree(target)
    if staged.is_dir():
        os.rename(staged, target)


def forget_cached(schema: str) -> None:
    """Drop the schema's keys from the shared cache (cards, sessions, locks): what an
    earlier tenant of the same schema left there must not show through."""
    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        return  # a per-process cache: nothing shared to forget
    client = cache._cache.get_client(write=True)
    pattern = f"{glob.escape(schema)}:{glob.escape(cache.key_prefix)}:*"
    batch = []
    for key in client.scan_iter(match=pattern, count=1000):
        batch.append(key)
        if len(batch) >= 1000:
            client.delete(*batch)
            batch.clear()
    if batch:
        client.delete(*batch)


def _signer() -> signing.Signer:
    return signing.Signer(salt=_SIGNING_SALT)


def _sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()
