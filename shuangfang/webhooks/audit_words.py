"""The words of this app's audit actions (``core.audit``): what the audit trail shows."""

from django.utils.translation import gettext_lazy

from shuangfang.core import audit

audit.register_actions(
    {
        "webhook.subscribe": gettext_lazy("Webhook subscription saved"),
        "webhook.switched_off": gettext_lazy("Webhook switched off"),
    }
)
