from django.utils.translation import gettext_lazy as _

from shuangfang.core.permissions import register
from shuangfang.orgs.roles import Role

register(
    "webhook.manage",
    _("Register webhook subscriptions and read their delivery log"),
    [Role.ADMIN, Role.INSTITUTION_HEAD],
)
