from django.utils.translation import gettext_lazy as _

from shuangfang.core.permissions import Scope, register
from shuangfang.orgs.roles import ALL_ROLES, Role

# Everyone has an inbox and their own channels; acknowledging an incident needs only to be told.
register("notifications.inbox", _("Read one's own notifications"), ALL_ROLES, scope=Scope.INSTITUTION)
register(
    "notifications.incidents",
    _("See incidents and their escalation"),
    [Role.ADMIN, Role.BUREAU_SUPERVISOR, Role.INSTITUTION_HEAD, Role.SAFETY_OFFICER, Role.DEPARTMENT_HEAD],
    scope=Scope.INSTITUTION,
)
register(
    "notifications.log",
    _("Read the delivery log"),
    [Role.ADMIN, Role.INSTITUTION_HEAD, Role.SAFETY_OFFICER],
)
register(
    "notifications.configure",
    _("Configure message providers and escalation policies"),
    [Role.ADMIN, Role.INSTITUTION_HEAD, Role.SAFETY_OFFICER],
)
