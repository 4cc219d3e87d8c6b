"""Navigation entries, declared by each app in its ``nav.py``.

``menu`` entries appear in the top navigation; ``quick`` entries are the big buttons on the home
page (the few things frontline staff do on a phone). Each entry names the permission it needs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import get_script_prefix, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .tenancy import has_perm_anywhere, perm_key
from .types import Label


@dataclass(frozen=True)
class NavItem:
    key: str
    label: Label
    url_name: str
    perm: str
    order: int = 100
    quick: bool = False
    icon: str = ""
    kwargs: dict = field(default_factory=dict)
    # a home button's count (待确认 9, 今日检查 3): ``count(user) -> int``, one query
    count: Callable[..., int] | None = None
    # the menu's section; empty: the section of the app (``APP_GROUPS``)
    group: str = ""

    @property
    def url(self) -> str:
        # Reversed once per entry (every page's menu shows dozens of them).
        key = (self.key, get_script_prefix())
        url = _URLS.get(key)
        if url is None:
            url = _URLS[key] = reverse(self.url_name, kwargs=self.kwargs or None)
        return url


_URLS: dict[tuple[str, str], str] = {}


ITEMS: dict[str, NavItem] = {}


def register(item: NavItem) -> None:
    ITEMS[item.key] = item


def visible(user, *, quick: bool = False) -> list[NavItem]:
    items = [i for i in ITEMS.values() if i.quick == quick and has_perm_anywhere(user, i.perm)]
    return sorted(items, key=lambda i: (i.order, i.key))


def with_counts(user, items: list[NavItem]) -> list[tuple[NavItem, int | None]]:
    """The home page's buttons, each with its count (None when the entry has none)."""
    return [(i, i.count(user) if i.count else None) for i in items]


# The menu's sections, in order. "mine" holds the person's own home buttons (what a cook, guard or
# carer does every day comes first); the rest group the pages by the part of the work they serve.
GROUPS: list[tuple[str, Label]] = [
    ("mine", _("My work")),
    ("overview", _("Overview")),
    ("risks", _("Risk control")),
    ("hazards", _("Hazard inspection and rectification")),
    ("monitoring", _("Monitoring and duty")),
    ("services", _("Institution services")),
    ("readiness", _("Training and emergencies")),
    ("admin", _("Administration")),
]
APP_GROUPS = {
    "dashboards": "overview",
    "assessment": "overview",
    "reports": "overview",
    "risks": "risks",
    "criteria": "risks",
    "hazards": "hazards",
    "inspections": "hazards",
    "publicreports": "hazards",
    "monitoring": "monitoring",
    "notifications": "monitoring",
    "duty": "monitoring",
    "equipment": "monitoring",
    "food": "services",
    "relief": "services",
    "outreach": "services",
    "readiness": "readiness",
    "orgs": "admin",
    "webhooks": "admin",
    "core": "admin",
}


def group_of(item: NavItem) -> str:
    return item.group or APP_GROUPS[item.key.split(".", 1)[0]]


def grouped(user) -> list[tuple[Label, list[NavItem]]]:
    """The menu in sections: first the person's own home buttons, then each section's pages they
    may open (a page that is also one of their buttons is not repeated). Empty sections are left
    out, so a cook's menu is short and starts with 上报隐患, 我的检查, 我的隐患.

    Worked out once per set of roles (``tenancy.perm_key``) and kept for the process: the labels
    stay lazy, so one entry serves every language."""
    key = (perm_key(user), len(ITEMS))
    menu = _MENUS.get(key)
    if menu is None:
        menu = _grouped(user)
        if len(_MENUS) < 1000:  # role sets are few; a bound all the same
            _MENUS[key] = menu
    return menu


_MENUS: dict[tuple, list[tuple[Label, list[NavItem]]]] = {}
_MENU_HTML: dict[tuple, SafeString] = {}


def menu_html(user) -> SafeString:
    """The top bar's menu entries (core/base.html), sections and links, as HTML: kept per set of
    roles and language, as the template rendered them from :func:`grouped`."""
    key = (perm_key(user), len(ITEMS), get_language(), get_script_prefix())
    found = _MENU_HTML.get(key)
    if found is None:
        parts = []
        for label, items in grouped(user):
            parts.append(format_html('<li class="nav-group">{}</li>', label))
            parts += [format_html('<li><a href="{}">{}</a></li>', i.url, i.label) for i in items]
        found = SafeString("".join(parts))
        if len(_MENU_HTML) < 1000:
            _MENU_HTML[key] = found
    return found


def _grouped(user) -> list[tuple[Label, list[NavItem]]]:
    mine = visible(user, quick=True)
    taken = {i.url_name for i in mine}
    sections: dict[str, list[NavItem]] = {"mine": mine}
    for item in visible(user):
        if item.url_name not in taken:
            sections.setdefault(group_of(item), []).append(item)
    return [(label, sections[key]) for key, label in GROUPS if sections.get(key)]
