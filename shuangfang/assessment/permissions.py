from django.utils.translation import gettext_lazy as _

from shuangfang.core.permissions import Scope, register
from shuangfang.orgs.roles import Role

# Who reads assessment scores: the bureau (every institution below it) and the people who answer
# for an institution's safety (their own institution only).
register(
    "assessment.view",
    _("See assessment scores"),
    [Role.ADMIN, Role.BUREAU_SUPERVISOR, Role.INSTITUTION_HEAD, Role.SAFETY_OFFICER],
    scope=Scope.SUBTREE,
)
# Who sets the weights: the bureau.
register(
    "assessment.configure",
    _("Set the assessment scoring scheme"),
    [Role.ADMIN, Role.BUREAU_SUPERVISOR],
    scope=Scope.SUBTREE,
)
