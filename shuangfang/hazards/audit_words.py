"""The words of this app's audit actions (``core.audit``): what the audit trail shows."""

from django.utils.translation import gettext_lazy

from shuangfang.core import audit

audit.register_actions(
    {
        "hazard.approve_downgrade": gettext_lazy("Downgrade approved by the bureau"),
        "hazard.cite_criterion": gettext_lazy("Major-hazard criterion cited"),
        "hazard.refuse_downgrade": gettext_lazy("Downgrade refused by the bureau"),
        "hazard.request_downgrade": gettext_lazy("Downgrade requested"),
    }
)
