from django.utils.translation import gettext_lazy as _

from shuangfang.core.nav import NavItem, register

register(NavItem("duty.board", _("On duty"), "duty:board", "duty.view", order=300, quick=True))
register(NavItem("duty.board_menu", _("Duty roster"), "duty:board", "duty.view", order=300))
