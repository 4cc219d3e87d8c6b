import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from shuangfang.core.serving import web_argv


class Command(BaseCommand):
    help = "Run the web server alone (granian, static files mounted): one service of a scaled-out install."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))

    def handle(self, *args, host, port, workers, **options):
        if not (settings.STATIC_ROOT / "core").is_dir():
            raise CommandError(
                f"no static files in {settings.STATIC_ROOT}: run `manage.py collectstatic` first"
            )
        argv = web_argv(host, port, workers)
        os.chdir(settings.BASE_DIR)  # granian imports the project from its working directory
        os.execv(argv[0], argv)  # noqa: S606 - replaces this process: signals reach granian directly
