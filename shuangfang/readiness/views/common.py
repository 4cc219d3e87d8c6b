from __future__ import annotations

from django.core.exceptions import ValidationError

from shuangfang.core.types import AuthedRequest
from shuangfang.orgs.models import Organization


def institutions(user, perm: str) -> list[Organization]:
    """The institutions where ``user`` holds ``perm`` somewhere (a department head's department
    counts for its institution: the pages then show only what their scope allows)."""
    within = Organization.objects.for_user(user, perm).values("institution_id")
    return list(Organization.objects.institutions().filter(pk__in=within, is_active=True).order_by("name"))


def chosen_institution(request: AuthedRequest, perm: str) -> tuple[list[Organization], Organization | None]:
    """The institutions the user sees for ``perm`` and the one chosen with ``?org=`` (default: their own)."""
    found = institutions(request.user, perm)
    chosen = next((i for i in found if str(i.uuid) == request.GET.get("org")), None)
    if chosen is None:
        mine = {
            m.organization.institution_id
            for m in request.user.active_memberships().select_related("organization")
        }
        chosen = next((i for i in found if i.pk in mine), found[0] if found else None)
    return found, chosen


def error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)
