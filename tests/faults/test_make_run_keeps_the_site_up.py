"""`make run` for real (the launcher process, its gunicorn, Celery worker and beat,
on the test database): the worker is killed with SIGKILL, as an out-of-memory kill
would, and comes back by itself while the site answers every request; beat too. The
kill takes the worker's pool children with it, and Ctrl-C still stops everything."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import psutil
import pytest
from django.conf import settings
from django.db import connection

from tests.platform.test_launcher import free_port
from tests.support.waiting import wait_until
from tests.support.worker import database_url_for

pytestmark = pytest.mark.worker


def get(port: int, path: str) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": "localhost"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def service(launcher: subprocess.Popen, word: str) -> psutil.Process | None:
    """The launcher's direct child running ``celery ... <word>`` (the worker of small
    work, not the bulk queue's)."""
    for child in psutil.Process(launcher.pid).children():
        try:
            command = child.cmdline()
            if word in command and "bulk@%h" not in command and child.status() != psutil.STATUS_ZOMBIE:
                return child
        except psutil.NoSuchProcess:
            continue
    return None


def worker_answers() -> bool:
    from kpihub.celery import app

    return any(name.startswith("celery@") for reply in app.control.ping(timeout=1.0) or []
               for name in reply)


@pytest.fixture
def launcher(django_db_setup, committed_db, tmp_path):
    port = free_port()
    env = {**os.environ,
           "DATABASE_URL": database_url_for(settings.DATABASES["default"], connection.settings_dict["NAME"]),
           "REDIS_URL": settings.REDIS_URL, "KPIHUB_DATA_DIR": str(tmp_path), "PORT": str(port),
           "KPIHUB_DEMO": "0", "DJANGO_SETTINGS_MODULE": "kpihub.settings.development"}
    env.pop("KPIHUB_TEST_QUEUE", None)
    process = subprocess.Popen([sys.executable, "-m", "kpihub.dev.launcher"], env=env, cwd=settings.BASE_DIR,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    process.port = port
    try:
        wait_until(lambda: process.poll() is None and get(port, "/healthz") == 200 or process.poll() is not None,
                   timeout=240, interval=0.5, what="make run to serve")
        assert process.poll() is None, process.stdout.read()
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        process.output = process.communicate(timeout=90)[0]
        _end_strays(tmp_path)


def _end_strays(data_dir) -> None:
    """Whatever this make run started and left (each service has a session of its own,
    so none goes with the launcher's group) is ended: a beat or worker left on the
    suite's database and Redis would go on running other tests' companies' jobs."""
    for stray in psutil.process_iter(["pid"]):
        try:
            if stray.pid != os.getpid() and stray.environ().get("KPIHUB_DATA_DIR") == str(data_dir):
                stray.kill()
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue


def test_a_killed_worker_and_beat_come_back_while_the_site_answers(launcher):
    port = launcher.port
    answers: list[int] = []
    watching = threading.Event()

    def watch():
        while not watching.is_set():
            answers.append(get(port, "/"))
            answers.append(get(port, "/healthz"))
            time.sleep(0.1)

    wait_until(lambda: service(launcher, "worker") and worker_answers(), timeout=60, what="the first worker")
    old = service(launcher, "worker")
    pool = old.children()
    assert pool, "the prefork worker has pool processes"
    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        old.send_signal(signal.SIGKILL)
        started = time.monotonic()
        new = wait_until(lambda: (w := service(launcher, "worker")) and w.pid != old.pid and w,
                         timeout=30, what="a new worker process")
        wait_until(worker_answers, timeout=90, interval=0.5, what="the new worker to answer a ping")
        back_after = time.monotonic() - started
        # The dead worker's pool children went with it: nobody works on unacked tasks.
        wait_until(lambda: not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in pool),
                   timeout=10, what="the dead worker's pool children to end")

        old_beat = service(launcher, "beat")
        old_beat.send_signal(signal.SIGKILL)
        wait_until(lambda: (b := service(launcher, "beat")) and b.pid != old_beat.pid, timeout=30,
                   what="a new beat process")
        time.sleep(1)
    finally:
        watching.set()
        watcher.join()
    assert launcher.poll() is None, "the launcher stayed up"
    assert new.is_running()
    assert len(answers) > 20 and set(answers) == {200}, answers
    assert back_after < 60

    launcher.send_signal(signal.SIGINT)
    output = launcher.communicate(timeout=90)[0]
    assert launcher.returncode == 0, output
    assert "worker stopped unexpectedly (exit code -9)" in output and "restarting it in 1 s" in output
    assert "beat stopped unexpectedly (exit code -9)" in output
    assert "Stopped web, worker and beat." in output
    print(f"worker answering again {back_after:.1f} s after the kill; {len(answers)} requests, all 200")
