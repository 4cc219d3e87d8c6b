from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "shuangfang.inspections"
    label = "inspections"
    verbose_name = "Inspections"

    def ready(self) -> None:
        # The shift handover carries the patrol points skipped, missed or walked out of order
        # (duty's registry; duty imports no inspections).
        from shuangfang.duty.services import register_open_items

        from . import audit_words  # noqa: F401
        from .patrol import patrol_lines

        register_open_items(patrol_lines, section="patrol")
        # The risk inventory's control status (risks' registry; risks imports no inspections).
        from shuangfang.risks.control import register_signals

        from .signals import risk_signals

        register_signals(risk_signals)
