from django.utils.translation import gettext_lazy as _

from shuangfang.core.nav import NavItem, register
from shuangfang.core.pwa import register_offline_pages

register(
    NavItem(
        "inspections.mine",
        _("My inspections"),
        "inspections:mine",
        "inspection.do",
        order=20,
        quick=True,
        icon="✔",
        count=lambda user: _due_now(user),
    )
)


def _due_now(user) -> int:
    """How many of the person's tasks are due now (the button 我的检查 3)."""
    from .taskflow import my_tasks_now

    return my_tasks_now(user).select_related(None).count()


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
register(
    NavItem(
        "inspections.bureau_tasks",
        _("My spot checks"),
        "inspections:bureau_tasks",
        "inspection.bureau",
        order=21,
        quick=True,
        icon="✔",
        count=lambda user: _spot_checks_due(user),
    )
)


def _spot_checks_due(user) -> int:
    """How many of the bureau inspector's spot checks are due now."""
    from django.utils import timezone

    from .taskflow import my_spot_checks

    now = timezone.now()
    return sum(1 for t in my_spot_checks(user, at=now) if t.window_start <= now)


register(NavItem("inspections.routes", _("Patrol routes"), "inspections:routes", "inspection.do", order=25))


@register_offline_pages
def _due_tasks(user) -> list[str]:
    """The person's due tasks (each page holds its checklist), their checkpoints and risk points:
    kept on the phone so that a task can be done, and a QR code scanned, without the network."""
    from django.urls import reverse

    from shuangfang.core.tenancy import has_perm_anywhere

    from .taskflow import my_tasks_page

    if not has_perm_anywhere(user, "inspection.do"):
        return []
    from shuangfang.risks.models import RiskPoint

    urls = [reverse("inspections:mine")]
    points = set()
    for task in my_tasks_page(user):
        urls.append(reverse("inspections:task", args=[task.uuid]))
        if task.checkpoint is not None:
            urls.append(reverse("inspections:checkpoint", args=[task.checkpoint.uuid]))
            if task.checkpoint.risk_point_id:
                points.add(task.checkpoint.risk_point_id)
    if points:
        for key in RiskPoint.objects.filter(pk__in=points).values_list("uuid", flat=True):
            urls.append(reverse("inspections:risk_point", args=[key]))
    return urls
