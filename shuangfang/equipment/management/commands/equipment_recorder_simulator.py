"""Serve the demo recordings as an ISAPI-style recorder (for trying the daily retention check)."""

import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from shuangfang.equipment.simulator import SimulatedRecorder, demo_tracks


class Command(BaseCommand):
    help = "Run a simulated video recorder answering the ISAPI content search (demo data)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8554)

    def handle(self, *args, port: int, **options):
        sim = SimulatedRecorder(demo_tracks(timezone.now()), port=port)
        with sim:
            self.stdout.write(f"Simulated recorder at {sim.url} (Ctrl-C to stop)")
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
