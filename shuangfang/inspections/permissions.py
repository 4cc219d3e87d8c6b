from django.utils.translation import gettext_lazy as _

from shuangfang.core.permissions import Scope, register
from shuangfang.orgs.roles import Role

register(
    "inspection.view",
    _("See inspection plans, tasks and records"),
    [
        Role.ADMIN,
        Role.BUREAU_SUPERVISOR,
        Role.INSTITUTION_HEAD,
        Role.SAFETY_OFFICER,
        Role.DEPARTMENT_HEAD,
        Role.ASSESSOR,
    ],
    scope=Scope.INSTITUTION,
)
register(
    "inspection.do",
    _("Do inspection tasks"),
    [Role.ADMIN, Role.INSTITUTION_HEAD, Role.SAFETY_OFFICER, Role.DEPARTMENT_HEAD, Role.STAFF],
    scope=Scope.INSTITUTION,
)
register(
    "inspection.manage",
    _("Manage checklists, checkpoints and inspection plans"),
    [Role.ADMIN, Role.INSTITUTION_HEAD, Role.SAFETY_OFFICER],
)
register("inspection.bureau", _("Inspect institutions for the bureau"), [Role.ADMIN, Role.BUREAU_SUPERVISOR])
