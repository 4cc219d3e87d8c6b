from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "shuangfang.inspections"
    label = "inspections"
    verbose_name = "Inspections"
