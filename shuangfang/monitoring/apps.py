from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "shuangfang.monitoring"
    label = "monitoring"
    verbose_name = _("Sensor monitoring")

    def ready(self) -> None:
        # The risk inventory's control status and monitoring method (risks' registry; risks
        # imports no monitoring).
        from shuangfang.risks.control import register_signals

        from .signals import risk_signals

        register_signals(risk_signals)
