from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FoodConfig(AppConfig):
    name = "shuangfang.food"
    label = "food"
    verbose_name = _("Food safety")
