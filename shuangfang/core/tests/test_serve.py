"""``manage.py serve`` supervises its children (docs/operations.md): a worker killed with SIGKILL
comes back while the web keeps answering, a killed web server comes back (its orphaned workers
gone), and SIGTERM stops everything. The real command runs in a subprocess; every wait is a poll
with a deadline."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DEADLINE = 90.0  # seconds: generous for a loaded machine; the waits end as soon as the state is there
STARTED = re.compile(r"shuangfang\.serve (web|worker) started \(pid (\d+)\)")

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")


def wait_for(what: str, condition: Callable[[], object], timeout: float = DEADLINE) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout:.0f} s: {what}")


def health(port: int) -> int | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:  # noqa: S310
            return response.status
    except OSError:
        return None


def group_alive(pgid: int) -> bool:
    """Whether any process (zombies aside) is still in the process group."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            return True
    return False


class Serve:
    """``manage.py serve`` in a subprocess, its log read line by line."""

    def __init__(self, tmp_path: Path) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        (tmp_path / "static").mkdir()
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "DEBUG": "true",
            "VAR_DIR": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "STATIC_ROOT": str(tmp_path / "static"),
            "PYTHONUNBUFFERED": "1",
            "WORKER_THREADS": "1",
        }
        argv = [
            sys.executable,
            "manage.py",
            "serve",
            "-v",
            "2",
            "--port",
            str(self.port),
            "--web-workers",
            "1",
        ]
        self.proc = subprocess.Popen(  # noqa: S603
            argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)

    def pids(self, name: str) -> list[int]:
        return [int(m[2]) for line in list(self.lines) if (m := STARTED.search(line)) and m[1] == name]

    def log(self) -> str:
        return "".join(self.lines[-60:])


@pytest.fixture
def serve(tmp_path):
    server = Serve(tmp_path)
    yield server
    if server.proc.poll() is None:
        server.proc.send_signal(signal.SIGTERM)
        try:
            server.proc.wait(30)
        except subprocess.TimeoutExpired:
            server.proc.kill()
    for name in ("web", "worker"):
        for pid in server.pids(name):
            if group_alive(pid):
                os.killpg(pid, signal.SIGKILL)


def test_a_killed_worker_or_web_server_comes_back_and_sigterm_stops_everything(serve):
    try:
        wait_for("both started", lambda: serve.pids("worker") and serve.pids("web"))
        worker, web = serve.pids("worker")[0], serve.pids("web")[0]
        wait_for("the web answers", lambda: health(serve.port) == 200)

        os.kill(worker, signal.SIGKILL)
        answers = []  # the web, asked over and over until the worker is back
        deadline = time.monotonic() + DEADLINE
        while not (new_worker := [p for p in serve.pids("worker") if p != worker]):
            assert time.monotonic() < deadline, "no new worker"
            answers.append(health(serve.port))
        assert answers and set(answers) == {200}, answers  # the web stayed up while the worker was down
        assert f"worker (pid {worker}) exited with code -9; restarting in 1 s" in "".join(serve.lines)
        assert health(serve.port) == 200
        assert not group_alive(worker)

        os.kill(web, signal.SIGKILL)  # granian's main process: its own worker processes are orphaned
        wait_for("a new web server", lambda: [p for p in serve.pids("web") if p != web])
        wait_for("the old web group is gone", lambda: not group_alive(web))
        wait_for("the web answers again", lambda: health(serve.port) == 200)
        assert serve.pids("worker") == [worker, *new_worker]  # the worker was left alone

        serve.proc.send_signal(signal.SIGTERM)
        assert serve.proc.wait(DEADLINE) == 0
        last = (serve.pids("web")[-1], serve.pids("worker")[-1])
        wait_for("both groups gone", lambda: not any(group_alive(pgid) for pgid in last), timeout=15)
        assert health(serve.port) is None
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n--- serve log ---\n{serve.log()}") from exc
