from django.core.management.base import BaseCommand

from shuangfang.core.i18n import app_dirs, extract


class Command(BaseCommand):
    help = "Refresh every app's translation catalogue from its source (needs GNU gettext)."

    def handle(self, *args, **options):
        for app_dir in app_dirs():
            extract(app_dir)
            self.stdout.write(f"extracted {app_dir.name}")
