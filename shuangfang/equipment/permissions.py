from django.utils.translation import gettext_lazy as _

from shuangfang.core.permissions import Scope, register
from shuangfang.orgs.roles import Role

register(
    "equipment.view",
    _("See the equipment ledger and cameras (and open an item by its label)"),
    [
        Role.ADMIN,
        Role.BUREAU_SUPERVISOR,
        Role.INSTITUTION_HEAD,
        Role.SAFETY_OFFICER,
        Role.DEPARTMENT_HEAD,
        Role.STAFF,
        Role.ASSESSOR,
    ],
    scope=Scope.INSTITUTION,
)
register(
    "equipment.manage",
    _("Register equipment, cameras and recorders; record maintenance visits"),
    [Role.ADMIN, Role.INSTITUTION_HEAD, Role.SAFETY_OFFICER],
)
