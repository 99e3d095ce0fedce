"""`make run` end to end: from an empty data dir to a serving site with web, worker and
beat, a sign-up that works at its subdomain, and Ctrl-C stopping exactly what it started."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import psutil
from django.conf import settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(port: int, host: str, path: str, data: dict | None = None):
    body = json.dumps(data).encode() if data is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body,
                                 headers={"Host": host, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_for_health(port: int, launcher: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert launcher.poll() is None, "the launcher exited"
        try:
            status, body = request(port, "localhost", "/healthz")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError("the site never became healthy")


def test_make_run_serves_signs_up_and_stops_cleanly_on_ctrl_c(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update({"KPIHUB_DATA_DIR": str(tmp_path), "PORT": str(port), "KPIHUB_DEMO": "1"})
    launcher = subprocess.Popen([sys.executable, "-m", "kpihub.dev.launcher"], env=env,
                                cwd=settings.BASE_DIR, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
    try:
        wait_for_health(port, launcher)
        children = psutil.Process(launcher.pid).children(recursive=True)
        started = {p.pid for p in children}
        names = " ".join(" ".join(p.cmdline()) for p in children)
        assert "gunicorn" in names and " worker" in names and " beat" in names
        assert "postgres" in names or any("postgres" in p.name() for p in children) or \
            (tmp_path / "postgres").is_dir()

        assert request(port, "localhost", "/")[0] == 200
        status, body = request(port, "localhost", "/api/v1/signup/", {
            "company_name": "Run Co", "slug": "runco", "email": "o@runco.example",
            "password": "correct-horse-battery-staple"})
        assert status == 201, body
        token = json.loads(body)["token"]
        req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/me/",
                                     headers={"Host": "runco.localhost",
                                              "Authorization": f"Token {token}"})
        with urllib.request.urlopen(req, timeout=10) as response:
            assert json.loads(response.read())["role"] == "owner"
        # The demo company exists with its printed login.
        status, body = request(port, "demo.localhost", "/api/v1/auth/token/",
                               {"email": "owner@demo.example", "password": "demo-kpihub-2026"})
        assert status == 200, body
    finally:
        launcher.send_signal(signal.SIGINT)
        output, _ = launcher.communicate(timeout=60)

    assert launcher.returncode == 0, output
    assert "Stopped web, worker and beat." in output
    assert "owner@demo.example / demo-kpihub-2026" in output
    time.sleep(1)
    still_running = [pid for pid in started if psutil.pid_exists(pid)
                     and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]
    assert still_running == []
    leftovers = [p for p in psutil.process_iter(["cmdline"])
                 if str(tmp_path) in " ".join(p.info["cmdline"] or [])]
    assert leftovers == []
