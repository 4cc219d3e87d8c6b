from django.utils.translation import gettext_lazy as _

from shuangfang.core.permissions import Scope, register
from shuangfang.orgs.roles import Role

# Who reads the dashboards: the people who run or supervise safety work. A department head sees
# the dashboard of the whole institution (Scope.INSTITUTION), as they read its hazards anyway.
VIEWERS: list[str] = [
    Role.ADMIN,
    Role.BUREAU_SUPERVISOR,
    Role.INSTITUTION_HEAD,
    Role.SAFETY_OFFICER,
    Role.DEPARTMENT_HEAD,
]

register("dashboard.view", _("See safety dashboards"), VIEWERS, scope=Scope.INSTITUTION)
