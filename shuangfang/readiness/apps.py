from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReadinessConfig(AppConfig):
    name = "shuangfang.readiness"
    label = "readiness"
    verbose_name = _("People and readiness")

    def ready(self) -> None:
        from . import audit_words  # noqa: F401
