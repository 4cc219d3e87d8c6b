from django.utils.translation import gettext_lazy as _

from shuangfang.core.nav import NavItem, register

register(
    NavItem(
        "monitoring.monitor", _("Fire-safety monitor"), "monitoring:monitor", "monitoring.view", order=300
    )
)
register(
    NavItem("monitoring.devices", _("Sensor devices"), "monitoring:devices", "monitoring.view", order=310)
)
