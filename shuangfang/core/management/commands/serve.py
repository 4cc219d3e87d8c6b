"""Start the web server and the background worker together, supervised (the embedded default of
``make run``; docs/operations.md).

Each child runs in a process group of its own. When one exits without being asked to (a crash, an
out-of-memory kill), whatever is left of its group is killed and the child is started again after a
backoff that doubles with each quick failure (1 s, 2 s, 4 s … at most 30 s; a child that ran for a
minute starts over at 1 s); the other child is not touched, so the web keeps answering while the
worker is down. SIGTERM or SIGINT (Ctrl+C) stops both groups: SIGTERM first, SIGKILL after 10 s.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.management.base import BaseCommand

from shuangfang.core.serving import web_argv

log = logging.getLogger("shuangfang.serve")

BACKOFF_FIRST = 1.0  # seconds before the first restart of a child that failed
BACKOFF_MAX = 30.0
STABLE_AFTER = 60.0  # a child that ran this long has its backoff reset
STOP_TIMEOUT = 10.0


def _signal_group(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


@dataclass
class Child:
    """One supervised program: its command line, its current process and its restart state."""

    name: str
    argv: list[str]
    cwd: str
    proc: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    failures: int = 0  # failures in a row, each within STABLE_AFTER of its start
    restart_at: float | None = None
    restarts: int = 0

    def start(self, now: float) -> None:
        # A group of its own: the terminal's Ctrl+C reaches only the supervisor, and the child's own
        # subprocesses (granian's workers) can be found and stopped with it.
        self.proc = subprocess.Popen(self.argv, cwd=self.cwd, start_new_session=True)  # noqa: S603
        self.started_at, self.restart_at = now, None
        log.info("%s started (pid %d)", self.name, self.proc.pid)

    def check(self, now: float) -> None:
        """Notices an exit (and schedules the restart) or starts the child when its backoff is over."""
        if self.restart_at is not None:
            if now >= self.restart_at:
                self.restarts += 1
                self.start(now)
            return
        if self.proc is None or (code := self.proc.poll()) is None:
            return
        _signal_group(self.proc.pid, signal.SIGKILL)  # leftovers of the group (orphaned workers)
        if now - self.started_at >= STABLE_AFTER:
            self.failures = 0
        delay = min(BACKOFF_MAX, BACKOFF_FIRST * 2**self.failures)
        self.failures += 1
        self.restart_at = now + delay
        log.error(
            "%s (pid %d) exited with code %s; restarting in %.0f s", self.name, self.proc.pid, code, delay
        )

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


class Supervisor:
    def __init__(self, children: list[Child]) -> None:
        self.children = children
        self.stopping = False

    def request_stop(self, signum: int, _frame: object = None) -> None:
        if not self.stopping:
            log.info("%s received: stopping", signal.Signals(signum).name)
        self.stopping = True

    def run(self, tick: float = 0.2, ready: Callable[[], None] | None = None) -> None:
        for child in self.children:
            child.start(time.monotonic())
        if ready is not None:
            threading.Thread(target=ready, daemon=True).start()
        try:
            while not self.stopping:
                for child in self.children:
                    child.check(time.monotonic())
                time.sleep(tick)
        finally:
            self.stop()

    def stop(self) -> None:
        live = [c.proc for c in self.children if c.proc is not None]
        for proc in live:
            _signal_group(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for proc in live:
            try:
                proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("pid %d did not stop in %.0f s: killed", proc.pid, STOP_TIMEOUT)
            _signal_group(proc.pid, signal.SIGKILL)
            if proc.poll() is None:
                proc.wait()
        log.info("stopped")


def children(web: list[str], root: str) -> list[Child]:
    """The web server and the worker; with ``DEMO_SIMULATOR`` (``make run``) also the demo devices'
    feed, so the demo city keeps reporting (``monitoring/demo_feed.py``). Off by default."""
    python = sys.executable
    kids = [Child("web", web, root), Child("worker", [python, "manage.py", "run_huey"], root)]
    if getattr(settings, "DEMO_SIMULATOR", False):
        kids.append(Child("demo", [python, "manage.py", "simulate_demo"], root))
    return kids


class Command(BaseCommand):
    help = "Run the web server (granian) and the background worker (huey), restarting either if it dies."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--web-workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))

    def handle(self, *args, host, port, web_workers, **options):
        if not os.environ.get("SITE_URL"):
            # QR codes and message links follow the port given here (the children read it).
            os.environ["PORT"] = str(port)
        # ``-v 0`` (``make run``): the console shows warnings and errors only (LOG_LEVEL, if set, wins),
        # and the logins and the address come last, where people look. Otherwise (a service, or
        # ``make run V=1``) every INFO line as before.
        verbose = options.get("verbosity", 1) >= 1
        if not verbose:
            os.environ.setdefault("LOG_LEVEL", "WARNING")
            logging.getLogger().setLevel(os.environ["LOG_LEVEL"])
        web = web_argv(host, port, web_workers, log_level="info" if verbose else "warning")
        root = str(settings.BASE_DIR)  # granian imports the project from its working directory
        supervisor = Supervisor(children(web, root))
        signal.signal(signal.SIGTERM, supervisor.request_stop)
        signal.signal(signal.SIGINT, supervisor.request_stop)
        supervisor.run(ready=lambda: self._ready(host, port))

    def _ready(self, host: str, port: int) -> None:
        """Once the web answers (or after 30 s): the logins, then the address, last."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
                break
            time.sleep(0.2)
        from shuangfang.core.demo import console_lines

        lines = console_lines()
        if lines:
            self.stdout.write("\n".join(lines))
        self.stdout.write(
            self.style.SUCCESS(f"Shuangfang is running at http://{host}:{port}/  (Ctrl+C stops it)")
        )
