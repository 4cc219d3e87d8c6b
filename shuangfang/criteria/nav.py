from django.utils.translation import gettext_lazy as _

from shuangfang.core.nav import NavItem, register

register(NavItem("criteria.library", _("Major-hazard criteria"), "criteria:list", "criteria.view", order=230))
register(
    NavItem(
        "criteria.selfchecks",
        _("Criteria self-checks"),
        "criteria:selfchecks",
        "criteria.selfcheck.view",
        order=231,
    )
)
