from django.utils.translation import gettext_lazy as _

from shuangfang.core.nav import NavItem, register

register(NavItem("risks.index", _("Risk points"), "risks:index", "risk.view", order=200))
register(NavItem("risks.inventory", _("Risk inventory"), "risks:inventory", "risk.view", order=210))
register(NavItem("risks.map", _("Four-colour map"), "risks:floors", "risk.view", order=220))
register(NavItem("risks.library", _("Risk library"), "risks:library", "risk.view", order=230))
register(NavItem("risks.reviews", _("Overdue reviews"), "risks:reviews", "risk.edit", order=240))
register(
    NavItem("risks.overview", _("Risk levels by institution"), "risks:overview", "risk.library", order=250)
)
register(NavItem("risks.palette", _("Level colours"), "risks:palette", "risk.library", order=260))
