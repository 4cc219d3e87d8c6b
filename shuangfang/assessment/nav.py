from django.utils.translation import gettext_lazy as _

from shuangfang.core.nav import NavItem, register

register(NavItem("assessment.index", _("Assessment scores"), "assessment:index", "assessment.view", order=6))
