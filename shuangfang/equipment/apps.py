from django.apps import AppConfig


class EquipmentConfig(AppConfig):
    name = "shuangfang.equipment"
    label = "equipment"
    verbose_name = "Equipment and video"

    def ready(self) -> None:
        from shuangfang.monitoring.panels import register_alarm_panel

        from .alarm_video import video_panel

        register_alarm_panel(video_panel)

        # An extinguisher past its service life is flagged on the four-colour map.
        from shuangfang.risks.maps import register_point_flags

        from .map_flags import past_life_flags

        register_point_flags(past_life_flags)

        from shuangfang.dashboards.sections import register_figure_section

        from . import figure_section

        register_figure_section(
            "equipment", figure_section.title, figure_section.figures, perm="equipment.view"
        )
        from shuangfang.reports.sections import register_report_section

        register_report_section("equipment", figure_section.title, figure_section.report_rows)
