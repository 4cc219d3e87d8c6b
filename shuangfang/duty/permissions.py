from django.utils.translation import gettext_lazy as _

from shuangfang.core.permissions import Scope, register
from shuangfang.orgs.roles import ALL_ROLES, Role

register("duty.view", _("See the duty roster and handovers"), ALL_ROLES, scope=Scope.INSTITUTION)
register(
    "duty.manage",
    _("Manage shifts, rotations and overrides"),
    [Role.ADMIN, Role.INSTITUTION_HEAD, Role.SAFETY_OFFICER],
)
