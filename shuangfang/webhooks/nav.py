from django.utils.translation import gettext_lazy as _

from shuangfang.core.nav import NavItem, register

register(NavItem("webhooks.list", _("Webhooks"), "webhooks:list", "webhook.manage", order=920))
register(NavItem("webhooks.mem", _("Regulator upload"), "webhooks:mem", "system.operate", order=991))
