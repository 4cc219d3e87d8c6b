"""The web command bounds the Django threads per worker, and so the database connections they hold
(granian's own default let a burst run PostgreSQL out of connections)."""

from __future__ import annotations

from shuangfang.core.serving import web_argv


def _threads(argv: list[str]) -> int:
    return int(argv[argv.index("--blocking-threads") + 1])


def test_the_web_command_runs_eight_django_threads_per_worker_unless_told(monkeypatch):
    monkeypatch.delenv("WEB_THREADS", raising=False)
    assert _threads(web_argv("127.0.0.1", 8000, 2)) == 8
    monkeypatch.setenv("WEB_THREADS", "4")
    assert _threads(web_argv("127.0.0.1", 8000, 2)) == 4
    monkeypatch.setenv("WEB_THREADS", "many")
    assert _threads(web_argv("127.0.0.1", 8000, 2)) == 8
