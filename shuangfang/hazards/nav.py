from django.utils.translation import gettext_lazy as _

from shuangfang.core.nav import NavItem, register

register(
    NavItem(
        "hazards.report",
        _("Report a hazard"),
        "hazards:report",
        "hazard.report",
        order=10,
        quick=True,
    )
)
register(NavItem("hazards.mine", _("My hazards"), "hazards:mine", "hazard.view", order=20, quick=True))
register(NavItem("hazards.list", _("Hazards"), "hazards:list", "hazard.view", order=200))
register(
    NavItem("hazards.statistics", _("Hazard statistics"), "hazards:statistics", "hazard.ledger", order=210)
)
