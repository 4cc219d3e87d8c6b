from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from . import nav
from .pwa import outbox_words


def _home_trail(user) -> list:
    """The tree path of the person's first membership (shown under the top bar on every page)."""
    from .tenancy import _memberships

    memberships = _memberships(user)
    if not memberships:
        return []
    m = min(memberships, key=lambda m: m.organization.depth)
    trail = m.organization.ancestors()  # root first, the membership's node last: one query
    return [
        {"org": org, "role": m.get_role_display() if org.pk == m.organization_id else None, "post": m.post}
        for org in trail
    ]


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_groups": []}
    return {
        "nav_groups": SimpleLazyObject(lambda: nav.grouped(user)),
        "nav_menu": SimpleLazyObject(lambda: nav.menu_html(user)),
        "home_trail": SimpleLazyObject(lambda: _home_trail(user)),
        "outbox_words": outbox_words(user),
    }
