from django.utils.translation import gettext_lazy as _

from shuangfang.core.permissions import Scope, register
from shuangfang.orgs.roles import ALL_ROLES, MANAGERS, Role

register(
    "food.view", _("See the kitchen's food-safety records and ledgers"), ALL_ROLES, scope=Scope.INSTITUTION
)
register(
    "food.record",
    _("Record deliveries, samples, disinfection, morning checks and temperatures"),
    [
        str(r)
        for r in (Role.ADMIN, Role.INSTITUTION_HEAD, Role.SAFETY_OFFICER, Role.DEPARTMENT_HEAD, Role.STAFF)
    ],
    scope=Scope.INSTITUTION,
)
register(
    "food.manage",
    _("Manage the kitchen: suppliers, food list, staff, refrigerators"),
    [str(r) for r in MANAGERS],
)
register(
    "food.rules",
    _("Make the food-safety rules stricter"),
    [str(r) for r in (Role.ADMIN, Role.BUREAU_SUPERVISOR, Role.INSTITUTION_HEAD, Role.SAFETY_OFFICER)],
)
