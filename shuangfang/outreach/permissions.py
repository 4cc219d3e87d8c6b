"""Street outreach permissions: the same privacy model as relief casework (docs/relief.md). Only
memberships at a relief station count (``institution_types``); everyone else gets 404."""

from django.utils.translation import gettext_lazy as _

from shuangfang.core.permissions import Scope, register
from shuangfang.orgs.roles import Role
from shuangfang.relief.permissions import CASEWORK, STATION

register(
    "outreach.view",
    _("See street patrols and the people met"),
    CASEWORK,
    scope=Scope.INSTITUTION,
    institution_types=STATION,
)
register(
    "outreach.manage",
    _("Run street patrols and log encounters"),
    CASEWORK,
    scope=Scope.INSTITUTION,
    institution_types=STATION,
)

# The at-risk register is kept by the bureau and the district bureaus (subtree scope), not stations.
KEEPERS: list[str] = [Role.ADMIN, Role.BUREAU_SUPERVISOR]
register("outreach.register", _("Keep the at-risk register and its revisits"), KEEPERS)
register(
    "outreach.show_identity",
    _("Show full ID and phone numbers on the at-risk register"),
    [Role.ADMIN, Role.BUREAU_SUPERVISOR],
)
register(
    "outreach.campaign",
    _("Set seasonal campaigns and see their figures"),
    [Role.ADMIN, Role.BUREAU_SUPERVISOR],
)
