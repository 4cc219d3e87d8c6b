from django.utils.translation import gettext_lazy as _

from shuangfang.core.permissions import Scope, register
from shuangfang.orgs.roles import ALL_ROLES, Role

# Everyone at an institution sees its hazards (安全生产法 Art. 41: inform the staff), and anyone
# with an account may report one.
register("hazard.view", _("See hazards"), ALL_ROLES, scope=Scope.INSTITUTION)
register("hazard.report", _("Report hazards"), ALL_ROLES, scope=Scope.INSTITUTION)
register(
    "hazard.confirm",
    _("Confirm, assign and rectify hazards"),
    [Role.ADMIN, Role.INSTITUTION_HEAD, Role.SAFETY_OFFICER],
)
register(
    "hazard.plan",
    _("Approve major-hazard plans and deadline extensions"),
    [Role.ADMIN, Role.INSTITUTION_HEAD, Role.SAFETY_OFFICER],
)
register(
    "hazard.accept",
    _("Accept and close hazards"),
    [Role.ADMIN, Role.BUREAU_SUPERVISOR, Role.INSTITUTION_HEAD, Role.SAFETY_OFFICER],
)
register("hazard.supervise", _("Order supervision of hazards"), [Role.ADMIN, Role.BUREAU_SUPERVISOR])
register(
    "hazard.ledger",
    _("Export hazard ledgers and statistics"),
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
