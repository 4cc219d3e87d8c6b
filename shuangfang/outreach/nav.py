from django.utils.translation import gettext_lazy as _

from shuangfang.core.nav import NavItem, register

register(
    NavItem("outreach.index", _("Street outreach"), "outreach:index", "outreach.view", order=252, quick=True)
)
