from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "shuangfang.notifications"
    label = "notifications"
    verbose_name = _("Notifications and escalation")

    def ready(self) -> None:
        # Notifications depends on duty (who is on duty), never the other way: the shift handover
        # lists the open incidents through duty's registry.
        from shuangfang.duty.services import register_open_items

        from . import checks  # noqa: F401  (registers the system checks)
        from .incidents import handover_alarm_lines

        register_open_items(handover_alarm_lines, section="alarms")
