from django.utils.translation import gettext_lazy as _

from shuangfang.core.nav import NavItem, register

register(NavItem("food.home", _("Kitchen"), "food:home", "food.view", order=320, quick=True))
register(NavItem("food.home_menu", _("Food safety"), "food:home", "food.view", order=320))
