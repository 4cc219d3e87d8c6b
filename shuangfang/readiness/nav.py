from django.utils.translation import gettext_lazy as _

from shuangfang.core.nav import NavItem, register

register(
    NavItem("readiness.mine", _("My training"), "readiness:mine", "readiness.view", order=40, quick=True)
)
register(NavItem("readiness.sessions", _("Training"), "readiness:sessions", "readiness.view", order=400))
register(NavItem("readiness.status", _("Training status"), "readiness:status", "readiness.status", order=405))
register(NavItem("readiness.drills", _("Drills"), "readiness:drills", "readiness.view", order=410))
register(
    NavItem(
        "readiness.letters", _("Responsibility letters"), "readiness:letters", "readiness.view", order=420
    )
)
register(NavItem("readiness.plans", _("Emergency plans"), "readiness:plans", "readiness.view", order=430))
register(
    NavItem("readiness.supplies", _("Emergency supplies"), "readiness:supplies", "readiness.view", order=440)
)
register(NavItem("readiness.bureau", _("Five systems"), "readiness:bureau", "readiness.bureau", order=450))
