from django.core.management.base import BaseCommand
from django.utils.module_loading import autodiscover_modules

from shuangfang.core import demo
from shuangfang.orgs.demo import DEMO_PASSWORD, PEOPLE, build_demo_city
from shuangfang.orgs.models import Organization


class Command(BaseCommand):
    help = "Build the demo city (idempotent). With --if-empty, only on a database without organisations."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true")

    def handle(self, *args, if_empty=False, **options):
        if if_empty and Organization.objects.exists():
            self.stdout.write("Database already has data; demo not loaded.")
            return
        city = build_demo_city()
        autodiscover_modules("demo")
        for _order, name, builder in sorted(demo.BUILDERS, key=lambda b: b[0]):
            builder(city)
            self.stdout.write(f"  demo data: {name}")
        self.stdout.write(self.style.SUCCESS(f"Demo city ready: {city.city.name}"))
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}):")
        self.stdout.write("  admin (system administrator)")
        for username, name, _phone, where, role, _post in PEOPLE:
            self.stdout.write(f"  {username:<14} {name} · {where} · {role.label}")
