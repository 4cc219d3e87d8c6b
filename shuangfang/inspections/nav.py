from django.utils.translation import gettext_lazy as _

from shuangfang.core.nav import NavItem, register

register(
    NavItem(
        "inspections.mine",
        _("My inspections"),
        "inspections:mine",
        "inspection.do",
        order=20,
        quick=True,
        icon="✔",
    )
)
register(
    NavItem("inspections.ledger", _("Inspection ledger"), "inspections:ledger", "inspection.view", order=300)
)
register(
    NavItem(
        "inspections.checklists", _("Checklists"), "inspections:checklists", "inspection.manage", order=310
    )
)
register(
    NavItem("inspections.plans", _("Inspection plans"), "inspections:plans", "inspection.manage", order=320)
)
register(
    NavItem(
        "inspections.checkpoints", _("Checkpoints"), "inspections:checkpoints", "inspection.manage", order=330
    )
)
register(
    NavItem(
        "inspections.bureau",
        _("Bureau inspection"),
        "inspections:bureau_start",
        "inspection.bureau",
        order=340,
    )
)
register(NavItem("inspections.routes", _("Patrol routes"), "inspections:routes", "inspection.do", order=25))
