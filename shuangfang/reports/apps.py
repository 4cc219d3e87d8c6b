from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "shuangfang.reports"
    label = "reports"
    verbose_name = _("Safety reports")

    def ready(self) -> None:
        from shuangfang.core import jobs

        jobs.register("reports.generate", "shuangfang.reports.services:generate_job")
