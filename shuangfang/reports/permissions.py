from django.utils.translation import gettext_lazy as _

from shuangfang.core.permissions import Scope, register
from shuangfang.orgs.roles import Role

# Who reads the reports: the people who read the dashboards (a report is the dashboard of a closed
# month or quarter). A department head reads the reports of their whole institution
# (Scope.INSTITUTION), as they read its dashboard.
READERS: list[str] = [
    Role.ADMIN,
    Role.BUREAU_SUPERVISOR,
    Role.INSTITUTION_HEAD,
    Role.SAFETY_OFFICER,
    Role.DEPARTMENT_HEAD,
]
# Who makes (or makes again) a report: the people who answer for the figures.
MAKERS: list[str] = [Role.ADMIN, Role.BUREAU_SUPERVISOR, Role.INSTITUTION_HEAD, Role.SAFETY_OFFICER]

register("report.view", _("Read safety reports"), READERS, scope=Scope.INSTITUTION)
register("report.generate", _("Generate safety reports"), MAKERS, scope=Scope.SUBTREE)
