from django.utils.translation import gettext_lazy as _

from shuangfang.core.nav import NavItem, register

register(NavItem("relief.index", _("Relief casework"), "relief:index", "relief.view", order=250, quick=True))
register(NavItem("relief.stats", _("Relief statistics"), "relief:stats", "relief.stats", order=251))
