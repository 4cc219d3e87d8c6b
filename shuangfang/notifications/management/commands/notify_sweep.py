import time

from django.core.management.base import BaseCommand

from shuangfang.notifications.engine import process_due


class Command(BaseCommand):
    help = "Run due escalation steps and deliveries (once, or every --interval seconds with --loop)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true")
        parser.add_argument("--interval", type=float, default=5.0)

    def handle(self, *args, loop: bool = False, interval: float = 5.0, **options):
        while True:
            steps, deliveries = process_due()
            if options["verbosity"] > 1 or not loop:
                self.stdout.write(f"escalation steps: {steps}, delivery attempts: {deliveries}")
            if not loop:
                return
            time.sleep(interval)
