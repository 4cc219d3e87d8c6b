"""Navigation entries, declared by each app in its ``nav.py``.

``menu`` entries appear in the top navigation; ``quick`` entries are the big buttons on the home
page (the few things frontline staff do on a phone). Each entry names the permission it needs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse

from .tenancy import has_perm_anywhere
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

    @property
    def url(self) -> str:
        return reverse(self.url_name, kwargs=self.kwargs or None)


ITEMS: dict[str, NavItem] = {}


def register(item: NavItem) -> None:
    ITEMS[item.key] = item


def visible(user, *, quick: bool = False) -> list[NavItem]:
    items = [i for i in ITEMS.values() if i.quick == quick and has_perm_anywhere(user, i.perm)]
    return sorted(items, key=lambda i: (i.order, i.key))


def with_counts(user, items: list[NavItem]) -> list[tuple[NavItem, int | None]]:
    """The home page's buttons, each with its count (None when the entry has none)."""
    return [(i, i.count(user) if i.count else None) for i in items]
