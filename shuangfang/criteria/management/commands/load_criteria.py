from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from shuangfang.criteria.seed import SHIPPED, load_shipped


class Command(BaseCommand):
    help = "Load major-hazard criteria from a JSON file (default: the shipped starting data)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(SHIPPED))

    def handle(self, *args, **options):
        try:
            result = load_shipped(Path(options["path"]))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        for s in result.standards:
            state = "complete" if s.complete else "INCOMPLETE"
            self.stdout.write(f"{s.code} {s.version}: {s.criteria.count()} situations ({state})")
        self.stdout.write(f"new {result.new_items}, updated {result.updated_items}")
