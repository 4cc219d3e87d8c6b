from django.utils.translation import gettext_lazy as _

from shuangfang.core.nav import NavItem, register

register(NavItem("reports.index", _("Safety reports"), "reports:index", "report.view", order=8))
