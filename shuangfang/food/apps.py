from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FoodConfig(AppConfig):
    name = "shuangfang.food"
    label = "food"
    verbose_name = _("Food safety")

    def ready(self) -> None:
        # Food depends on duty, never the other way: the shift handover lists the kitchen's open
        # items (samples due for disposal) through duty's registry.
        from shuangfang.duty.services import register_open_items

        from . import audit_words  # noqa: F401
        from .stats import handover_items

        register_open_items(handover_items)
        # The dashboards show the kitchen's figures through their registry (they import no food).
        from shuangfang.dashboards.sections import register_figure_section

        from . import figure_section

        register_figure_section("food", figure_section.title, figure_section.figures, perm="food.view")
        # ... and the monthly safety report its rows, through the reports' registry.
        from shuangfang.reports.sections import register_report_section

        register_report_section("food", figure_section.title, figure_section.report_rows)
        # ... and the assessment scores its indicators, through the assessment registry.
        from . import scoring

        scoring.register()
