from django.utils.translation import gettext_lazy as _

from shuangfang.core.nav import NavItem, register

register(NavItem("dashboards.index", _("Dashboard"), "dashboards:index", "dashboard.view", order=5))
register(
    NavItem(
        "dashboards.quick", _("Safety dashboard"), "dashboards:index", "dashboard.view", order=5, quick=True
    )
)
