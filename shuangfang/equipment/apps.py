from django.apps import AppConfig


class EquipmentConfig(AppConfig):
    name = "shuangfang.equipment"
    label = "equipment"
    verbose_name = "Equipment and video"
