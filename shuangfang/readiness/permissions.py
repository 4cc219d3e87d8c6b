from django.utils.translation import gettext_lazy as _

from shuangfang.core.permissions import Scope, register
from shuangfang.orgs.roles import ALL_ROLES, Role

# Everyone at an institution sees its sessions, drills and their own letters and training.
register("readiness.view", _("See training, drills and letters"), ALL_ROLES, scope=Scope.INSTITUTION)
register(
    "readiness.manage",
    _("Run training sessions and drills"),
    [Role.ADMIN, Role.INSTITUTION_HEAD, Role.SAFETY_OFFICER],
)
# Requirements and courses: the bureau for its institutions, an institution for itself.
register(
    "readiness.requirements",
    _("Edit training requirements and courses"),
    [Role.ADMIN, Role.BUREAU_SUPERVISOR, Role.INSTITUTION_HEAD, Role.SAFETY_OFFICER],
)
# Who has done which training, who has signed which letter (a department head: their department).
register(
    "readiness.status",
    _("See training status and letter tracking"),
    [
        Role.ADMIN,
        Role.BUREAU_SUPERVISOR,
        Role.INSTITUTION_HEAD,
        Role.SAFETY_OFFICER,
        Role.DEPARTMENT_HEAD,
        Role.ASSESSOR,
    ],
)
register(
    "readiness.letters",
    _("Issue, change and revoke responsibility letters"),
    [Role.ADMIN, Role.BUREAU_SUPERVISOR, Role.INSTITUTION_HEAD, Role.SAFETY_OFFICER],
)
# The bureau's five systems: spot-check rules, analysis meetings, notices, accountability records.
register(
    "readiness.bureau",
    _("Run the bureau's spot checks, analysis, notices and accountability"),
    [Role.ADMIN, Role.BUREAU_SUPERVISOR],
)
register(
    "readiness.acknowledge",
    _("Acknowledge the bureau's responsibility notices"),
    [Role.ADMIN, Role.INSTITUTION_HEAD, Role.SAFETY_OFFICER],
)
