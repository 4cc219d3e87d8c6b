from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from . import nav


def _home_trail(user) -> list:
    """The tree path of the person's first membership (shown under the top bar on every page)."""
    from shuangfang.orgs.models import Organization

    from .tenancy import _memberships

    memberships = _memberships(user)
    if not memberships:
        return []
    m = min(memberships, key=lambda m: m.organization.depth)
    ids = m.organization.ancestor_ids
    by_id = {o.pk: o for o in Organization.objects.filter(pk__in=ids).only("uuid", "name")}
    return [
        {"org": by_id[i], "role": m.get_role_display() if i == ids[-1] else None, "post": m.post}
        for i in ids
        if i in by_id
    ]


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    return {"nav_items": nav.visible(user), "home_trail": SimpleLazyObject(lambda: _home_trail(user))}
