"""Start the web server and the background worker together (the embedded default of ``make run``)."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the web server (granian) and the background worker (huey) until interrupted."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--web-workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))

    def handle(self, *args, host, port, web_workers, **options):
        python = sys.executable
        web = [
            python,
            "-m",
            "granian",
            "--interface",
            "wsgi",
            "--host",
            host,
            "--port",
            str(port),
            "--workers",
            str(web_workers),
            "--static-path-route",
            settings.STATIC_URL.rstrip("/"),
            "--static-path-mount",
            str(settings.STATIC_ROOT),
            "shuangfang.config.wsgi:application",
        ]
        worker = [python, "manage.py", "run_huey"]
        procs = [subprocess.Popen(web), subprocess.Popen(worker)]  # noqa: S603
        self.stdout.write(
            self.style.SUCCESS(f"Shuangfang is running at http://{host}:{port}/  (Ctrl+C stops it)")
        )

        def stop(*_):
            for p in procs:
                if p.poll() is None:
                    p.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            while all(p.poll() is None for p in procs):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            stop()
            for p in procs:
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
