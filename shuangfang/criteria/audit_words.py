"""The words of this app's audit actions (``core.audit``): what the audit trail shows."""

from django.utils.translation import gettext_lazy

from shuangfang.core import audit

audit.register_actions(
    {
        "criteria.import": gettext_lazy("Criteria imported"),
        "criteria.selfcheck": gettext_lazy("Self-check against the criteria"),
    }
)
