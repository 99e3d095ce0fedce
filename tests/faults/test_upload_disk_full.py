"""The disk that keeps uploads fills up. The web server's media directory is a small
filesystem of its own (a 1 MB tmpfs, filled to the last byte); where mounting is not
allowed, the web server runs with a file-size limit (RLIMIT_FSIZE) that makes any
write past 64 KB fail the same way. An upload then answers 507 saying storage is
full, not a 500; nothing of it is recorded; pages keep answering; and once space is
freed the same upload is accepted and imported."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from jobs.models import Job
from metrics.models import DataImport, Invoice
from tests.faults.conftest import free_port
from tests.faults.test_postgres_restarts import upload_request
from tests.faults.test_redis_restarts import call
from tests.support.waiting import wait_for_job, wait_until

pytestmark = pytest.mark.worker
LIMIT = 64 * 1024


def mounted(media: Path) -> bool:
    media.mkdir(parents=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(media)], capture_output=True)
    return done.returncode == 0


def fill(media: Path) -> Path:
    filler = media / "filler"
    with open(filler, "wb", buffering=0) as out:
        try:
            while out.write(b"\0" * 4096):
                pass
        except OSError:  # ENOSPC: full to the last block
            pass
    return filler


@pytest.fixture
def full_disk(workers, tmp_path, acme, committed_db):
    data_dir = tmp_path / "data"
    media = data_dir / "media"
    tmpfs = mounted(media)
    try:
        yield from serving(workers, data_dir, media, tmpfs, acme)
    finally:
        if tmpfs:
            subprocess.run(["umount", str(media)], check=False)


def serving(workers, data_dir: Path, media: Path, tmpfs: bool, acme):
    filler = fill(media) if tmpfs else None

    def limited():  # the fallback: any file the web server writes stops at LIMIT bytes
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))

    env = {**workers.env, "KPIHUB_DATA_DIR": str(data_dir)}
    port = free_port()
    web = subprocess.Popen([sys.executable, "-m", "gunicorn", "kpihub.wsgi", "--bind", f"127.0.0.1:{port}",
                            "--workers", "1", "--log-level", "warning"], env=env, cwd=settings.BASE_DIR,
                           preexec_fn=None if tmpfs else limited)
    tag = uuid.uuid4().hex[:8]
    try:
        wait_until(lambda: call(port, "localhost", "/healthz")[0] == 200, timeout=60, interval=0.3,
                   what="the web server")
        workers.env = env
        yield port, tag, filler, media
    finally:
        web.terminate()
        web.wait(timeout=20)
        connection.set_tenant(acme.tenant)
        imports = DataImport.objects.filter(file_name__startswith=tag)
        jobs = list(imports.values_list("job_id", flat=True))
        imports.delete()
        Job.objects.filter(pk__in=jobs).delete()
        Invoice.objects.filter(invoice_id__startswith=f"f-{tag}-").delete()


def test_an_upload_to_a_full_disk_fails_cleanly_and_works_once_there_is_room(acme, full_disk, workers):
    port, tag, filler, media = full_disk
    connection.set_tenant(acme.tenant)
    jobs_before = Job.objects.count()

    status, body = upload_request(port, acme, tag, rows=5_000)  # about 200 KB
    assert status == 507, body
    assert "storage" in json.loads(body)["detail"]
    connection.set_tenant(acme.tenant)
    assert not DataImport.objects.filter(file_name__startswith=tag).exists()
    assert Job.objects.count() == jobs_before  # nothing of it recorded
    assert call(port, acme.host, "/api/v1/imports/", token=acme.owner_token)[0] == 200
    assert call(port, acme.host, "/api/v1/me/", token=acme.owner_token)[0] == 200

    if filler is None:
        return  # the file-size limit cannot be lifted from a running process: room is for the tmpfs
    leftovers = [p for p in media.rglob("*") if p.is_file() and p != filler]
    filler.unlink()
    assert leftovers == [], f"a partial upload stayed on the full disk: {leftovers}"
    status, body = upload_request(port, acme, tag, rows=5_000)
    assert status == 202, body
    with workers.running():
        done = wait_for_job(json.loads(body)["job_id"], acme.tenant, timeout=60)
    assert done.status == Job.Status.SUCCEEDED, done.error
    connection.set_tenant(acme.tenant)
    assert Invoice.objects.filter(invoice_id__startswith=f"f-{tag}-").count() == 5_000
