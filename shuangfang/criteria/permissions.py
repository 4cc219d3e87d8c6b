from django.utils.translation import gettext_lazy as _

from shuangfang.core.permissions import Scope, register
from shuangfang.orgs.roles import ALL_ROLES, Role

# The criteria are public rules: everyone with an account reads them.
register("criteria.view", _("See the major-hazard criteria"), ALL_ROLES, scope=Scope.INSTITUTION)
register(
    "criteria.import",
    _("Import major-hazard criteria (a bureau: its own refinement)"),
    [Role.ADMIN, Role.BUREAU_SUPERVISOR],
)
register(
    "criteria.selfcheck",
    _("Run the self-check against the major-hazard criteria"),
    [Role.ADMIN, Role.INSTITUTION_HEAD, Role.SAFETY_OFFICER],
)
register(
    "criteria.selfcheck.view",
    _("See self-checks against the major-hazard criteria"),
    [Role.ADMIN, Role.BUREAU_SUPERVISOR, Role.INSTITUTION_HEAD, Role.SAFETY_OFFICER],
)
