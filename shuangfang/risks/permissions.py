from django.utils.translation import gettext_lazy as _

from shuangfang.core.permissions import Scope, register
from shuangfang.orgs.roles import ALL_ROLES, Role

register("risk.view", _("See risk points and the risk inventory"), ALL_ROLES, scope=Scope.INSTITUTION)
register(
    "risk.edit",
    _("Record and assess risk points"),
    [Role.SAFETY_OFFICER, Role.INSTITUTION_HEAD, Role.ADMIN, Role.ASSESSOR],
)
register(
    "risk.library", _("Edit the bureau's risk library and palette"), [Role.ADMIN, Role.BUREAU_SUPERVISOR]
)
