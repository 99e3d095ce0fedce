"""The launcher's supervision, round by round, with real child processes (``sleep``)
killed by SIGKILL and a clock the test moves: the worker and beat come back after 1 s,
then 2, 4 ... while they keep dying, from 1 s again after a healthy minute; the web
server's death stops everything."""

import signal

import pytest

from kpihub.dev.launcher import MAX_DELAY, Supervisor


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def supervised():
    clock, said = Clock(), []
    supervisor = Supervisor({name: ["sleep", "120"] for name in ("web", "worker", "beat")},
                            clock=clock, say=said.append)
    supervisor.start()
    yield supervisor, clock, said
    supervisor.stop()


def kill(supervisor, name):
    process = supervisor.services[name].process
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=5)
    return process.pid


def test_a_killed_worker_comes_back_after_a_growing_delay_and_the_rest_keeps_running(supervised):
    supervisor, clock, said = supervised
    web = supervisor.services["web"].process
    first = kill(supervisor, "worker")
    assert supervisor.check() is None
    assert "worker stopped unexpectedly (exit code -9)" in said[-1] and "in 1 s" in said[-1]
    clock.now += 0.5
    assert supervisor.check() is None
    assert supervisor.services["worker"].process.pid == first  # not yet
    clock.now += 0.5
    assert supervisor.check() is None
    second = supervisor.services["worker"].process
    assert second.pid != first and second.poll() is None
    assert web.poll() is None and supervisor.services["web"].process is web

    delays = []
    for _ in range(8):  # dies again at once, every time
        clock.now += 1
        kill(supervisor, "worker")
        supervisor.check()
        delays.append(float(said[-1].split("restarting it in ")[1].split(" s")[0]))
        clock.now = supervisor.services["worker"].restart_at
        supervisor.check()
    assert delays == [2, 4, 8, 16, 32, 60, 60, 60] and MAX_DELAY == 60

    clock.now += 61  # a healthy minute
    kill(supervisor, "worker")
    supervisor.check()
    assert "in 1 s" in said[-1]


def test_beat_is_restarted_too(supervised):
    supervisor, clock, said = supervised
    first = kill(supervisor, "beat")
    supervisor.check()
    clock.now += 1
    supervisor.check()
    assert supervisor.services["beat"].process.pid != first
    assert supervisor.services["beat"].process.poll() is None


def test_the_web_server_s_death_stops_everything(supervised):
    supervisor, clock, said = supervised
    kill(supervisor, "web")
    assert supervisor.check() == "web stopped unexpectedly (exit code -9); shutting down."
    worker = supervisor.services["worker"].process
    supervisor.stop()
    assert worker.poll() is not None
