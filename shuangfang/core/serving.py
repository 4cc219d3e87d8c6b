"""The web server's command line, in one place: ``manage.py web`` (scaled out, one service per
machine) and ``manage.py serve`` (one box, supervised) run the same granian with the static files
mounted, so no setup serves pages without their CSS and scripts."""

from __future__ import annotations

import os
import sys

from django.conf import settings


def threads() -> int:
    """``WEB_THREADS`` (default 8): Django threads per web worker."""
    value = os.environ.get("WEB_THREADS", "8")
    return max(1, int(value)) if value.isdigit() else 8


def web_argv(
    host: str, port: int, workers: int, *, respawn: bool = True, log_level: str = "info"
) -> list[str]:
    argv = [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
        # Threads per worker that run Django. Each holds a database connection (persistent with
        # DB_CONN_MAX_AGE), so this bounds the connections: granian's own default allowed up to 128
        # per worker, and a burst of requests then ran PostgreSQL out of connections ("too many
        # clients") on the bench. Requests beyond it wait in granian's queue.
        "--blocking-threads",
        str(threads()),
        "--log-level",
        log_level,
        # Static files (collectstatic's STATIC_ROOT) straight from granian, before Django; a proxy in
        # front may serve them itself from the same folder (deploy/nginx/shuangfang.conf).
        "--static-path-route",
        settings.STATIC_URL.rstrip("/"),
        "--static-path-mount",
        str(settings.STATIC_ROOT),
    ]
    if respawn:
        argv.append("--respawn-failed-workers")  # granian itself replaces a crashed web worker
    return [*argv, "shuangfang.config.wsgi:application"]
