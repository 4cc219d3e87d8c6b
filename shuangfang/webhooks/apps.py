from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "shuangfang.webhooks"
    label = "webhooks"
    verbose_name = _("Webhook subscriptions")

    def ready(self) -> None:
        from . import audit_words  # noqa: F401
