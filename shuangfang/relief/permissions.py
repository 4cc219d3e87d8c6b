"""Relief casework permissions. Personal data of help-seekers (PIPL: health, minors, ID numbers) is
seen only through memberships at a relief station (``institution_types``): an elderly home's staff
hold none of these, and a bureau membership never counts for names (the bureau sees statistics
through ``relief.stats``; a bureau officer who needs names is granted a membership at the station)."""

from django.utils.translation import gettext_lazy as _

from shuangfang.core.permissions import Scope, register
from shuangfang.orgs.models import InstitutionType
from shuangfang.orgs.roles import Role

STATION: list[str] = [InstitutionType.RELIEF_STATION]
CASEWORK: list[str] = [
    Role.ADMIN,
    Role.INSTITUTION_HEAD,
    Role.SAFETY_OFFICER,
    Role.DEPARTMENT_HEAD,
    Role.STAFF,
]
LEADS: list[str] = [Role.ADMIN, Role.INSTITUTION_HEAD, Role.SAFETY_OFFICER, Role.DEPARTMENT_HEAD]

register(
    "relief.view",
    _("See help-seekers and relief cases"),
    CASEWORK,
    scope=Scope.INSTITUTION,
    institution_types=STATION,
)
register(
    "relief.manage",
    _("Register, admit, serve and discharge help-seekers"),
    CASEWORK,
    scope=Scope.INSTITUTION,
    institution_types=STATION,
)
register(
    "relief.show_identity",
    _("Show full ID and phone numbers of help-seekers"),
    LEADS,
    scope=Scope.INSTITUTION,
    institution_types=STATION,
)
register(
    "relief.approve",
    _("Approve escorted return trips and relief letters"),
    [Role.ADMIN, Role.INSTITUTION_HEAD],
    institution_types=STATION,
)
register(
    "relief.export",
    _("Export help-seekers' records"),
    [Role.ADMIN, Role.INSTITUTION_HEAD],
    institution_types=STATION,
)
# Figures without names: the station and the bureaus above it.
register(
    "relief.stats",
    _("See relief statistics"),
    [Role.ADMIN, Role.BUREAU_SUPERVISOR, Role.INSTITUTION_HEAD, Role.SAFETY_OFFICER],
)
