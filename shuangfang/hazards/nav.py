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
register(
    NavItem(
        "hazards.mine",
        _("My hazards"),
        "hazards:mine",
        "hazard.view",
        order=20,
        quick=True,
        count=lambda user: _mine_to_do(user),
    )
)
register(
    NavItem(
        "hazards.confirm",
        _("To confirm"),
        "hazards:mine",
        "hazard.confirm",
        order=15,
        quick=True,
        count=lambda user: _to_confirm(user),
    )
)


def _mine_to_do(user) -> int:
    """Hazards the person must plan or fix (the button 我的隐患 2)."""
    from .choices import Status
    from .models import Hazard

    return (
        Hazard.objects.for_user(user, "hazard.view")
        .filter(responsible=user, status__in=[Status.PLANNING, Status.RECTIFYING])
        .count()
    )


def _to_confirm(user) -> int:
    """Snap reports waiting for the officer (the button 待确认 9)."""
    from .choices import Status
    from .models import Hazard

    return Hazard.objects.for_user(user, "hazard.confirm").filter(status=Status.REPORTED).count()


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
