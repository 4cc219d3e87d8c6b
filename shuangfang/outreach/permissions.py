"""Street outreach permissions: the same privacy model as relief casework (docs/relief.md). Only
memberships at a relief station count (``institution_types``); everyone else gets 404."""

from django.utils.translation import gettext_lazy as _

from shuangfang.core.permissions import Scope, register
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
