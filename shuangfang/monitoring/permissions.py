from django.utils.translation import gettext_lazy as _

from shuangfang.core.permissions import Scope, register
from shuangfang.orgs.roles import Role

VIEWERS: list[str] = [
    Role.ADMIN,
    Role.BUREAU_SUPERVISOR,
    Role.INSTITUTION_HEAD,
    Role.SAFETY_OFFICER,
    Role.DEPARTMENT_HEAD,
]
MANAGERS: list[str] = [Role.ADMIN, Role.INSTITUTION_HEAD, Role.SAFETY_OFFICER]
HANDLERS: list[str] = [Role.ADMIN, Role.INSTITUTION_HEAD, Role.SAFETY_OFFICER, Role.DEPARTMENT_HEAD]

register("monitoring.view", _("See sensor devices, readings and alarms"), VIEWERS, scope=Scope.INSTITUTION)
register("monitoring.manage", _("Register sensor devices and set alarm rules"), MANAGERS)
register("alarm.handle", _("Acknowledge and clear alarms"), HANDLERS, scope=Scope.INSTITUTION)
