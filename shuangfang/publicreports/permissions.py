from django.utils.translation import gettext_lazy as _

from shuangfang.core.permissions import register
from shuangfang.orgs.roles import Role

# Who reads what visitors reported, decides on it, prints the QR posters and switches them off.
register(
    "publicreport.triage",
    _("Triage public reports and manage QR posters"),
    [Role.ADMIN, Role.INSTITUTION_HEAD, Role.SAFETY_OFFICER],
)
