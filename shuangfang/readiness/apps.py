from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReadinessConfig(AppConfig):
    name = "shuangfang.readiness"
    label = "readiness"
    verbose_name = _("People and readiness")

    def ready(self) -> None:
        from shuangfang.dashboards.sections import register_figure_section

        from . import (
            audit_words,  # noqa: F401
            figure_section,
        )

        register_figure_section(
            "readiness", figure_section.title, figure_section.figures, perm="readiness.view"
        )
        # The assessment scores weigh its indicators and count rewards and penalties through the
        # assessment registry.
        from . import indicators

        indicators.register()
