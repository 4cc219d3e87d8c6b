from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "shuangfang.assessment"
    label = "assessment"
    verbose_name = _("Assessment scores")

    def ready(self) -> None:
        # The built-in indicators go through the same registry as other apps' (docs/assessment.md).
        from . import builtin

        builtin.register()
