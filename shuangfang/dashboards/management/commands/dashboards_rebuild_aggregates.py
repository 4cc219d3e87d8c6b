"""Recompute the counts the dashboards read (hazards per institution and month, done and missed
tasks per institution, day and post) from the records; ``--check`` only compares them."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from shuangfang.hazards.counts import HAZARDS
from shuangfang.inspections.counts import TASKS

COUNTERS = {"hazards per month": HAZARDS, "tasks per day": TASKS}


class Command(BaseCommand):
    help = "Recompute the dashboards' pre-aggregated counts from the records (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="compare the counts with the records; change nothing"
        )

    def handle(self, *args, check=False, verbosity=1, **options):
        say = self.stdout.write if verbosity else (lambda _msg: None)
        wrong = 0
        for label, counter in COUNTERS.items():
            t0 = time.perf_counter()
            if check:
                diff = counter.differences()
                wrong += len(diff)
                for key, (have, want) in sorted(diff.items())[:20]:
                    say(f"{label} {key}: stored {have}, records {want}")
                say(f"{label}: {len(diff)} keys differ ({time.perf_counter() - t0:.1f} s)")
            else:
                n = counter.rebuild()
                say(f"{label}: {n} rows from the records ({time.perf_counter() - t0:.1f} s)")
        if wrong:
            raise CommandError(f"{wrong} counts differ from the records; run dashboards_rebuild_aggregates")
