"""Production settings refuse to start without their secrets, and pass check --deploy."""

import os
import subprocess
import sys

from django.conf import settings

PROD = {"DJANGO_SETTINGS_MODULE": "kpihub.settings.production"}
SECRET = "s" * 20 + "A9-zQ" * 8


def run_manage(env_overrides: dict, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(env_overrides)
    return subprocess.run([sys.executable, "manage.py", *args], env=env, cwd=settings.BASE_DIR,
                          capture_output=True, text=True, timeout=120)


def test_production_refuses_to_start_without_secret_key():
    result = run_manage({**PROD, "DATABASE_URL": "postgresql://u@db/x", "REDIS_URL": "redis://r"}, "check")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_a_database():
    result = run_manage({**PROD, "SECRET_KEY": SECRET, "REDIS_URL": "redis://r"}, "check")
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_production_passes_check_deploy():
    result = run_manage({**PROD, "SECRET_KEY": SECRET, "DATABASE_URL": "postgresql://u@db/x",
                         "REDIS_URL": "redis://r:6379/0"}, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
