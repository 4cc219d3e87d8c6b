from django.core.management.base import BaseCommand
from django.utils.module_loading import autodiscover_modules

from shuangfang.core import demo
from shuangfang.orgs.demo import build_demo_city, login_lines
from shuangfang.orgs.models import Organization


class Command(BaseCommand):
    help = "Build the demo city (idempotent). With --if-empty, only on a database without organisations."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true")

    def handle(self, *args, if_empty=False, **options):
        if if_empty and Organization.objects.exists():
            if options.get("verbosity", 1):
                self.stdout.write("Database already has data; demo not loaded.")
            return
        city = build_demo_city()
        autodiscover_modules("demo")
        quiet = options.get("verbosity", 1) == 0
        for _order, name, builder in sorted(demo.BUILDERS, key=lambda b: b[0]):
            builder(city)
            if not quiet:
                self.stdout.write(f"  demo data: {name}")
        if not quiet:  # ``make run`` shows the logins last, after the server is up (``serve``)
            self.stdout.write(self.style.SUCCESS(f"Demo city ready: {city.city.name}"))
            self.stdout.write("\n".join(login_lines()))
