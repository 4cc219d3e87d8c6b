from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CriteriaConfig(AppConfig):
    name = "shuangfang.criteria"
    label = "criteria"
    verbose_name = _("Major-hazard criteria")

    def ready(self) -> None:
        from . import audit_words  # noqa: F401
