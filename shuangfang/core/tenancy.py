"""Tenancy in one place.

Every tenant-owned query starts from ``Model.objects.for_user(user, perm)``. A user's scope for a
permission is the union of the subtrees of the organisations where they hold an active membership
whose role has that permission (see :mod:`shuangfang.core.permissions`). Fetching one object by its
public id goes through :func:`get_for_user`, which answers 404 alike for "missing" and "not yours",
and 403 only when the object is visible to the user but the action is not theirs.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404

from . import authcache, permissions
from .permissions import Scope
from .pgarrays import among_written

if TYPE_CHECKING:
    from shuangfang.orgs.models import Membership

M = TypeVar("M", bound=models.Model)

_CACHE_ATTR = "_shuangfang_scope_cache"


def organization_model() -> Any:
    """The organisation tree's model (``settings.ORGANIZATION_MODEL``, as ``AUTH_USER_MODEL`` names
    the user model): core states what it needs of the tree, ``orgs`` provides it, and core imports
    nothing of ``orgs``. Needs of it: ``path``, ``depth``, and ``objects.bureaus_and_institutions()``."""
    return apps.get_model(settings.ORGANIZATION_MODEL)


def _memberships(user) -> list[Membership]:
    cache = user.__dict__.setdefault(_CACHE_ATTR, {})
    if "memberships" not in cache:

        def load() -> list[Membership]:
            return list(
                user.active_memberships().select_related("organization", "organization__institution", "post")
            )

        # Kept briefly across requests too (core.authcache), dropped at once on any change.
        cache["memberships"] = authcache.memberships(user.pk, load)
    return cache["memberships"]


def scope_roots(user, perm: str) -> list[str] | None:
    """The tree paths under which ``user`` holds ``perm``; ``None`` means everywhere (superuser)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user.is_superuser:
        return None
    spec = permissions.get(perm)
    roots: set[str] = set()
    for m in _memberships(user):
        if m.role not in spec.roles:
            continue
        org = m.organization
        if spec.institution_types is not None and (
            org.institution is None or org.institution.institution_type not in spec.institution_types
        ):
            continue
        if spec.scope == Scope.INSTITUTION and org.institution_id and org.institution is not None:
            org = org.institution
        roots.add(org.path)
    # Drop roots that sit inside another root.
    return sorted(r for r in roots if not any(r != o and r.startswith(o) for o in roots))


def highest_node(user, perm: str):
    """The highest bureau or institution where ``user`` holds ``perm`` (where a page for "my
    bureau or my institution" starts); 404 when there is none."""
    roots = scope_roots(user, perm)
    qs = organization_model().objects.bureaus_and_institutions()
    if roots is not None:
        qs = qs.filter(path__in=roots)
    top = qs.order_by("depth", "path").first()
    if top is None:
        raise Http404
    return top


def scope_orgs(user, perm: str) -> models.QuerySet | None:
    """A subquery of organisation ids where ``user`` holds ``perm``, or ``None`` for everywhere."""
    roots = scope_roots(user, perm)
    return None if roots is None else _subtrees(roots)


def _subtrees(roots: list[str]) -> models.QuerySet:
    """The ids of the organisations under ``roots`` (tree paths), as a subquery."""
    organization = organization_model()
    if not roots:
        return organization.objects.none().values("id")
    cond = Q()
    for r in roots:
        cond |= Q(path__startswith=r)
    return organization.objects.filter(cond).values("id")


_SUBTREES: dict[tuple[tuple[str, ...], str], list[int]] = {}


def listed_scope_key(user, perm: str) -> tuple[tuple[str, ...], str] | None:
    """What :func:`scope_org_ids` depends on: the scope's roots and the tree they were read in
    (``core.authcache``'s stamp moves when the tree changes, cache on or off); ``None`` for
    everywhere. A statement that holds the ids is remembered under it (``core.api``'s
    ``compiled_by``)."""
    roots = scope_roots(user, perm)
    return None if roots is None else (tuple(roots), authcache.stamp())


def scope_org_ids(user, perm: str) -> list[int] | None:
    """As :func:`scope_orgs`, the organisations' ids themselves (``None`` for everywhere), read once
    per process and tree. For a statement prepared once and run many times (``core.planned``):
    with the ids written in it, PostgreSQL keeps one plan for it; with the subquery's ``LIKE`` it
    plans every run again (≈ 1 ms)."""
    key = listed_scope_key(user, perm)
    if key is None:
        return None
    found = _SUBTREES.get(key)
    if found is None:
        found = sorted(_subtrees(list(key[0])).values_list("id", flat=True))
        if len(_SUBTREES) >= 1000:
            _SUBTREES.clear()
        _SUBTREES[key] = found
    return found


def has_perm_anywhere(user, perm: str) -> bool:
    roots = scope_roots(user, perm)
    return roots is None or bool(roots)


def perm_key(user) -> tuple:
    """All that :func:`has_perm_anywhere` reads of ``user``, whatever the permission: a superuser,
    or the roles held and the kind of institution each is held in. People with the same key hold
    the same permissions somewhere (the same menu, ``core.nav``)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ()
    if user.is_superuser:
        return ("superuser",)
    held = set()
    for m in _memberships(user):
        inst = m.organization.institution
        held.add((m.role, inst is not None, inst.institution_type if inst is not None else ""))
    return tuple(sorted(held))


def can(user, perm: str, org) -> bool:
    """Whether ``user`` holds ``perm`` at organisation ``org`` (an Organization instance)."""
    roots = scope_roots(user, perm)
    if roots is None:
        return True
    return org is not None and any(org.path.startswith(r) for r in roots)


def require(user, perm: str, org) -> None:
    """Services call this: the same rule as the views, checked again where the change is made."""
    if not can(user, perm, org):
        raise PermissionDenied(perm)


def forget_scope(user) -> None:
    """Drop the per-request cache and the cross-request one (after a membership of ``user`` changed)."""
    user.__dict__.pop(_CACHE_ATTR, None)
    if user.pk is not None:
        authcache.forget("memberships", user.pk)


class TenantQuerySet(models.QuerySet, Generic[M]):
    """Queryset of a model owned by an organisation. ``tenant_field`` names the foreign key."""

    tenant_field = "organization"

    def for_user(self, user, perm: str = "org.view", *, listed: bool = False):
        """The rows in ``user``'s scope for ``perm``; with ``listed``, the scope is written into the
        statement as its organisations' ids (:func:`scope_org_ids`, ``core.pgarrays.among_written``)
        rather than a subquery: for a statement prepared once (``core.planned``)."""
        if listed:
            ids = scope_org_ids(user, perm)
            return self.all() if ids is None else self.filter(among_written(self.tenant_field, ids))
        scope = scope_orgs(user, perm)
        if scope is None:
            return self.all()
        return self.filter(**{f"{self.tenant_field}__in": scope})


class TenantModel(models.Model):
    """Base for tenant-owned models: an organisation and a public UUID (never expose the pk)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")

    objects: Any = TenantQuerySet.as_manager()

    class Meta:
        abstract = True


def get_for_user(queryset: models.QuerySet[M] | type[M], user, perm: str, **lookup) -> M:
    """One object by lookup, scoped. 404 when missing or outside the user's view; 403 when the
    user may see it but not do ``perm`` to it."""
    qs = queryset._default_manager.all() if isinstance(queryset, type) else queryset
    if "uuid" in lookup:
        try:
            uuid.UUID(str(lookup["uuid"]))
        except ValueError:
            raise Http404 from None
    obj = qs.for_user(user, perm).filter(**lookup).first()  # type: ignore[attr-defined]
    if obj is not None:
        return obj
    if perm != "org.view" and qs.for_user(user, "org.view").filter(**lookup).exists():  # type: ignore[attr-defined]
        raise PermissionDenied(perm)
    raise Http404


def require_perm(perm: str) -> Callable:
    """Page decorator: the user must hold ``perm`` (somewhere, for a page without an object; a view
    about one object must fetch it with :func:`get_for_user` and ``perm``). The permission is kept on
    the view for the permission-matrix test."""
    permissions.get(perm)  # fail at import on an undeclared permission

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            # A view about one object (kwargs name it) decides 404 vs 403 in get_for_user, so an
            # outsider learns nothing about another institution's objects.
            if not kwargs and not has_perm_anywhere(request.user, perm):
                raise PermissionDenied(perm)
            return view(request, *args, **kwargs)

        wrapped.required_permission = perm  # type: ignore[attr-defined]
        return wrapped

    return decorator
