"""Keep the demo city's devices reporting (``monitoring/demo_feed.py``): a round every minute until
stopped. ``manage.py serve`` runs it as a child when ``DEMO_SIMULATOR`` is on (``make run``)."""

from __future__ import annotations

import logging
import time

from django.core.management.base import BaseCommand

from shuangfang.monitoring.demo_feed import INTERVAL_SECONDS, feed_demo_devices

log = logging.getLogger("shuangfang.demo")


class Command(BaseCommand):
    help = "Keep the demo devices (codes DEMO-…) reporting normal readings, one round a minute."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=INTERVAL_SECONDS)
        parser.add_argument("--once", action="store_true", help="one round, then exit")

    def handle(self, *args, interval, once, **options):
        while True:
            try:
                sent = feed_demo_devices()
                log.debug("demo devices: %d readings", sent)
            except Exception:  # a bad round must not stop the demo; the next one tries again
                log.exception("demo feed round failed")
            if once:
                return
            time.sleep(max(interval, 1.0))
