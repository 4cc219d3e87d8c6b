from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReliefConfig(AppConfig):
    name = "shuangfang.relief"
    label = "relief"
    verbose_name = _("Relief casework")

    def ready(self) -> None:
        from . import audit_words  # noqa: F401
