from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReliefConfig(AppConfig):
    name = "shuangfang.relief"
    label = "relief"
    verbose_name = _("Relief casework")

    def ready(self) -> None:
        # The safety report shows the month's statistics (no names) through the reports' registry.
        from shuangfang.reports.sections import register_report_section

        from . import audit_words  # noqa: F401
        from .report_section import report_rows, title

        register_report_section("relief", title, report_rows)
