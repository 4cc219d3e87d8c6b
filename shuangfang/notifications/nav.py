from django.utils.translation import gettext_lazy as _

from shuangfang.core.nav import NavItem, register

register(
    NavItem(
        "notifications.inbox", _("Inbox"), "notifications:inbox", "notifications.inbox", order=50, quick=True
    )
)
register(
    NavItem("notifications.inbox_menu", _("Inbox"), "notifications:inbox", "notifications.inbox", order=50)
)
register(
    NavItem(
        "notifications.incidents",
        _("Incidents"),
        "notifications:incidents",
        "notifications.incidents",
        order=310,
    )
)
register(NavItem("notifications.log", _("Delivery log"), "notifications:log", "notifications.log", order=320))
register(
    NavItem(
        "notifications.providers",
        _("Message providers"),
        "notifications:providers",
        "notifications.configure",
        order=330,
    )
)
register(
    NavItem(
        "notifications.policies",
        _("Escalation policies"),
        "notifications:policies",
        "notifications.configure",
        order=325,
    )
)
