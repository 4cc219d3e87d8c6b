from django.utils.translation import gettext_lazy as _

from shuangfang.core.permissions import register
from shuangfang.orgs.roles import MANAGERS

# Who reads what visitors reported, decides on it, prints the QR posters and switches them off.
register(
    "publicreport.triage",
    _("Triage public reports and manage QR posters"),
    MANAGERS,
)
