"""The web server's command line, in one place: ``manage.py web`` (scaled out, one service per
machine) and ``manage.py serve`` (one box, supervised) run the same granian with the static files
mounted, so no setup serves pages without their CSS and scripts."""

from __future__ import annotations

import sys

from django.conf import settings


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
