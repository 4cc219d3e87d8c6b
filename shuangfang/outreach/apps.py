from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "shuangfang.outreach"
    label = "outreach"
    verbose_name = _("Street outreach")
