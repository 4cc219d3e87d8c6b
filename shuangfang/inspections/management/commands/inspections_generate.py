from django.core.management.base import BaseCommand

from shuangfang.inspections.plans import generate_tasks
from shuangfang.inspections.taskflow import sweep_missed


class Command(BaseCommand):
    help = "Generate inspection tasks ahead of time and mark tasks whose window ended as missed."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=36, help="how far ahead to generate")

    def handle(self, *args, hours=36, **options):
        import datetime as dt

        made = generate_tasks(horizon=dt.timedelta(hours=hours))
        missed = sweep_missed()
        self.stdout.write(f"{made} tasks created, {missed} tasks marked missed")
