"""Embedded mode (no DATABASE_URL / REDIS_URL) and real-server mode (URLs given)."""

import os
import subprocess
import sys
from pathlib import Path

import psutil
from django.conf import settings

from kpihub.dev import embedded

PROBE = (
    "import os, json; from django.db import connection; from kpihub.health import check_services; "
    "print(json.dumps({'db': connection.settings_dict['HOST'], 'health': check_services(), "
    "'redis': os.environ['REDIS_URL']}))"
)


def clean_env(data_dir: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    return {**env, "KPIHUB_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE":
            "kpihub.settings.development", **extra}


def run_probe(env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "manage.py", "shell", "-c", PROBE], env=env,
                            cwd=settings.BASE_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def servers_under(path: Path) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["cmdline"]):
        cmdline = " ".join(process.info["cmdline"] or [])
        if str(path) in cmdline and ("postgres" in cmdline or "redis-server" in cmdline):
            found.append(process)
    return found


def test_two_data_dirs_run_embedded_side_by_side_and_stop_when_done(tmp_path):
    import json

    first, second = tmp_path / "one", tmp_path / "two"
    probes = [run_probe(clean_env(first)), run_probe(clean_env(second))]
    outputs = [probe.communicate(timeout=120) for probe in probes]
    results = []
    for probe, (out, err) in zip(probes, outputs):
        assert probe.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))

    for result, root in zip(results, (first, second)):
        assert result["health"] == {"database": "ok", "broker": "ok"}
        assert str(root) in result["db"]  # its own PostgreSQL socket, inside its data dir
        assert result["redis"].startswith("unix://")
    assert results[0]["db"] != results[1]["db"]
    assert (first / "postgres").is_dir() and (second / "postgres").is_dir()
    # Each process stopped exactly what it had started.
    assert servers_under(tmp_path) == []


def test_given_urls_are_used_and_nothing_is_started(tmp_path):
    import json

    from tests.support.worker import database_url_for

    db = settings.DATABASES["default"]
    url = database_url_for(db, db["NAME"])
    env = clean_env(tmp_path, DATABASE_URL=url, REDIS_URL=settings.REDIS_URL)
    probe = run_probe(env)
    out, err = probe.communicate(timeout=60)
    assert probe.returncode == 0, err
    result = json.loads(out.strip().splitlines()[-1])
    assert result["health"] == {"database": "ok", "broker": "ok"}
    assert result["redis"] == settings.REDIS_URL
    assert not (tmp_path / "postgres").exists()
    assert not (tmp_path / "redis").exists()


def test_the_embedded_services_keep_their_data_where_the_settings_keep_theirs(monkeypatch):
    """Without KPIHUB_DATA_DIR, both default to the checkout's .kpihub/ (`make clean-data`)."""
    monkeypatch.delenv("KPIHUB_DATA_DIR", raising=False)
    assert embedded.PROJECT_DIR / ".kpihub" == settings.BASE_DIR / ".kpihub"
