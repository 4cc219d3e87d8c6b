from django.core.management.base import BaseCommand

from shuangfang.core.i18n import compile_all


class Command(BaseCommand):
    help = "Compile every app's .po catalogue to .mo (pure Python: no gettext tools needed)."

    def handle(self, *args, **options):
        n = compile_all()
        self.stdout.write(f"compiled {n} catalogues")
