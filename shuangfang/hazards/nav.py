from django.utils.translation import gettext_lazy as _

from shuangfang.core.nav import NavItem, register
from shuangfang.core.pwa import register_offline_pages

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


@register_offline_pages
def _snap_report(user) -> list[str]:
    """The snap report form, kept on the phone: a report can be made without the network."""
    from django.urls import reverse

    from shuangfang.core.tenancy import has_perm_anywhere

    return [reverse("hazards:report")] if has_perm_anywhere(user, "hazard.report") else []
