from django.utils.translation import gettext_lazy as _

from shuangfang.core.nav import NavItem, register

register(
    NavItem(
        "publicreports.queue", _("Public reports"), "publicreports:queue", "publicreport.triage", order=215
    )
)
register(
    NavItem(
        "publicreports.posters", _("QR posters"), "publicreports:posters", "publicreport.triage", order=216
    )
)
