from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HazardsConfig(AppConfig):
    name = "shuangfang.hazards"
    label = "hazards"
    verbose_name = _("Hazards")

    def ready(self) -> None:
        # The shift handover lists the open hazards (duty's registry; duty imports no hazards).
        from shuangfang.duty.services import register_open_items

        from . import audit_words  # noqa: F401
        from .handover import open_hazard_lines

        register_open_items(open_hazard_lines, section="hazards")
        # The risk inventory's control status (risks' registry; risks imports no hazards).
        from shuangfang.risks.control import register_signals

        from .signals import risk_signals

        register_signals(risk_signals)
        # The record a hazard was filed for links back to it (an inspection's problem item).
        from shuangfang.core.origins import register_made_from

        from .services import hazards_made_from

        register_made_from(hazards_made_from)
