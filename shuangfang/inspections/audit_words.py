"""The words of this app's audit actions (``core.audit``): what the audit trail shows."""

from django.utils.translation import gettext_lazy

from shuangfang.core import audit

audit.register_actions(
    {
        "plan.route": gettext_lazy("Patrol route order set"),
        "checklist_item.follow_measure": gettext_lazy("Checklist item follows its measure"),
    }
)
