from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "shuangfang.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # Each app declares its permissions and navigation entries beside its views, in
        # ``permissions.py`` and ``nav.py``; load them all once.
        autodiscover_modules("permissions")
        autodiscover_modules("nav")
        # ``words.py``: what an app tells other apps' pages in words (``core.origins``).
        autodiscover_modules("words")
        # ``imports.py``: the Excel sheets an app imports in the background (``core.importing``).
        autodiscover_modules("imports")
        from . import jobs

        jobs.register("core.import", "shuangfang.core.importing:import_job")
        # Pillow refuses (DecompressionBombError) pictures past twice this many pixels wherever a
        # picture is opened; core.uploads.check_image refuses past the limit itself, with a reason.
        from django.conf import settings
        from PIL import Image

        Image.MAX_IMAGE_PIXELS = settings.IMAGE_MAX_PIXELS
