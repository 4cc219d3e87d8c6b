from django.utils.translation import gettext_lazy as _

from shuangfang.core.nav import NavItem, register

register(NavItem("orgs.tree", _("Organisations"), "orgs:tree", "org.view", order=900))
register(NavItem("orgs.people", _("People"), "orgs:people", "people.view", order=910))
register(NavItem("core.outbox", _("Background work"), "core:outbox", "system.operate", order=990))
