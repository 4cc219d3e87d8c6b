from django.utils.translation import gettext_lazy as _

from shuangfang.core.nav import NavItem, register

register(
    NavItem("outreach.index", _("Street outreach"), "outreach:index", "outreach.view", order=252, quick=True)
)
register(
    NavItem("outreach.register", _("At-risk register"), "outreach:register", "outreach.register", order=253)
)
register(
    NavItem(
        "outreach.campaigns", _("Seasonal campaigns"), "outreach:campaigns", "outreach.campaign", order=254
    )
)
register(NavItem("outreach.gate", _("Gate and visitors"), "outreach:gate", "outreach.view", order=255))
