from django.utils.translation import gettext_lazy as _

from shuangfang.core.permissions import Scope, register

from .roles import ALL_ROLES, Role

register("org.view", _("See the organisation"), ALL_ROLES, scope=Scope.INSTITUTION)
register(
    "people.view",
    _("See people and their roles"),
    [Role.ADMIN, Role.BUREAU_SUPERVISOR, Role.INSTITUTION_HEAD, Role.SAFETY_OFFICER, Role.DEPARTMENT_HEAD],
)
register("org.manage", _("Manage organisations, posts and people"), [Role.ADMIN, Role.INSTITUTION_HEAD])
# Held at the top of a tree (a city bureau's administrator) or by a superuser: the system's
# background work across every institution (core.ops).
register("system.operate", _("See and retry the system's background work"), [Role.ADMIN])
register(
    "audit.view",
    _("Read the audit trail"),
    [Role.ADMIN, Role.BUREAU_SUPERVISOR, Role.INSTITUTION_HEAD, Role.SAFETY_OFFICER],
)
