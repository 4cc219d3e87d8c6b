from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicreportsConfig(AppConfig):
    name = "shuangfang.publicreports"
    label = "publicreports"
    verbose_name = _("Public reports")

    def ready(self) -> None:
        from shuangfang.hazards.triage import register_triage_source

        from . import audit_words  # noqa: F401
        from .views import triage_line

        register_triage_source(triage_line)
