"""Permissions as data.

Each app declares its permissions in its own ``permissions.py`` with :func:`register`: a code, a
label, the roles that hold it, and how far it reaches from a membership. Views name the permission
they need beside themselves (``@require_perm("org.manage")``); the tenancy module turns "which
roles hold it" into "which organisations this user may act on".

Scopes:

* ``SUBTREE``: the membership's organisation and everything below it (a bureau supervisor sees
  every institution below the bureau; a department head acts on the department).
* ``INSTITUTION``: as ``SUBTREE``, but a membership in a department reaches the whole institution
  (a cook may read the institution's risk points, not only the kitchen's).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .types import Label


class Scope(StrEnum):
    SUBTREE = "subtree"
    INSTITUTION = "institution"


@dataclass(frozen=True)
class Permission:
    code: str
    label: Label
    roles: frozenset[str]
    scope: Scope = Scope.SUBTREE
    # Only memberships at institutions of these types (or their departments) count; a bureau
    # membership never does. ``None``: any membership.
    institution_types: frozenset[str] | None = None


REGISTRY: dict[str, Permission] = {}


def register(
    code: str,
    label: Label,
    roles: list[str] | set[str],
    *,
    scope: Scope = Scope.SUBTREE,
    institution_types: list[str] | None = None,
) -> Permission:
    if code in REGISTRY and REGISTRY[code].roles != frozenset(roles):
        raise ValueError(f"permission {code!r} registered twice with different roles")
    types = None if institution_types is None else frozenset(str(t) for t in institution_types)
    perm = Permission(
        code=code,
        label=label,
        roles=frozenset(str(r) for r in roles),
        scope=scope,
        institution_types=types,
    )
    REGISTRY[code] = perm
    return perm


def get(code: str) -> Permission:
    try:
        return REGISTRY[code]
    except KeyError:
        raise KeyError(f"unknown permission {code!r}; declare it in an app's permissions.py") from None


def roles_with(code: str) -> frozenset[str]:
    return get(code).roles
