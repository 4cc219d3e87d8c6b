from django.utils.translation import gettext_lazy as _

from shuangfang.core.nav import NavItem, register

register(NavItem("equipment.list", _("Equipment ledger"), "equipment:list", "equipment.view", order=350))
register(NavItem("equipment.cameras", _("Cameras"), "equipment:cameras", "equipment.view", order=360))
