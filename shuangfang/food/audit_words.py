"""The words of this app's audit actions (``core.audit``): what the audit trail shows."""

from django.utils.translation import gettext_lazy

from shuangfang.core import audit

audit.register_actions(
    {
        "food.certificate_add": gettext_lazy("Health certificate added"),
        "food.core_temp": gettext_lazy("Core temperature checked"),
        "food.disinfection": gettext_lazy("Tableware disinfection recorded"),
        "food.fridge_save": gettext_lazy("Fridge saved"),
        "food.item_save": gettext_lazy("Food item saved"),
        "food.kitchen_save": gettext_lazy("Kitchen saved"),
        "food.licence_add": gettext_lazy("Supplier licence added"),
        "food.meal_add": gettext_lazy("Meal added"),
        "food.menu": gettext_lazy("Menu recorded"),
        "food.morning_check": gettext_lazy("Morning check recorded"),
        "food.purchase": gettext_lazy("Delivery recorded"),
        "food.rule_set": gettext_lazy("Food rule changed"),
        "food.sample": gettext_lazy("Sample taken"),
        "food.sample_dispose": gettext_lazy("Sample disposed of"),
        "food.staff_save": gettext_lazy("Kitchen worker saved"),
        "food.stock_move": gettext_lazy("Food taken out of storage"),
        "food.supplier_save": gettext_lazy("Supplier saved"),
        "food.temperature": gettext_lazy("Temperature recorded"),
    }
)
