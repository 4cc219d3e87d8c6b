"""Who does a task: a person, a post's holders, a role's holders, or whoever is on shift.

"On shift" resolves through :func:`on_shift`: the duty roster's ``on_duty(organization, at, post)``;
an institution that keeps no roster for that post falls back to the holders of the plan's post.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from shuangfang.core import tenancy
from shuangfang.orgs.models import Membership, Organization, Post, User

from .choices import AssigneeKind


def post_holders(organization: Organization, post_id: int | None) -> list[User]:
    if post_id is None:
        return []
    ids = Membership.objects.active().filter(post_id=post_id).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True))


def role_holders(organization: Organization, role: str) -> list[User]:
    ids = (
        Membership.objects.active()
        .filter(role=role)
        .filter(Q(organization=organization) | Q(organization__institution=organization))
        .values("user_id")
    )
    return list(User.objects.filter(pk__in=ids, is_active=True))


def on_shift(organization: Organization, *, at: dt.datetime | None = None, post=None) -> list[User]:
    """Whoever is on shift for a task: for a post with a roster, who holds that post's shift then
    (or, if nobody does, anyone on shift then); for a post without a roster, its holders; without a
    post, anyone on shift then."""
    from shuangfang.duty.models import Shift
    from shuangfang.duty.services import on_duty

    post_obj = post if post is None or hasattr(post, "pk") else Post.objects.filter(pk=post).first()
    if post_obj is not None and not Shift.objects.filter(post=post_obj, is_active=True).exists():
        return post_holders(organization, post_obj.pk)
    people = on_duty(organization, at=at, post=post_obj) if post_obj is not None else []
    return people or on_duty(organization, at=at)


def assignees(task, *, at: dt.datetime | None = None) -> list[User]:
    """Everyone ``task`` (or a plan: same fields) is for."""
    kind = task.assignee_kind
    if kind == AssigneeKind.PERSON:
        return [task.assignee_user] if task.assignee_user_id else []
    if kind == AssigneeKind.POST:
        return post_holders(task.organization, task.assignee_post_id)
    if kind == AssigneeKind.ROLE:
        return role_holders(task.organization, task.assignee_role)
    return on_shift(task.organization, at=at or getattr(task, "window_start", None), post=task.assignee_post)


def mine_q(user: User, *, at: dt.datetime) -> Q:
    """A filter on tasks for "assigned to ``user``" (without the time/status part)."""
    # The same (per-request cached) active memberships the tenancy scope was computed from.
    memberships = tenancy._memberships(user)
    post_ids = {m.post_id for m in memberships if m.post_id}
    cond = Q(assignee_kind=AssigneeKind.PERSON, assignee_user=user)
    if post_ids:
        cond |= Q(assignee_kind=AssigneeKind.POST, assignee_post_id__in=post_ids)
    for m in memberships:
        inst = m.organization.institution_id or m.organization_id
        cond |= Q(assignee_kind=AssigneeKind.ROLE, assignee_role=m.role, organization_id=inst)
    # "On shift" tasks: a superset here (tasks at institutions where the user is on shift now, and
    # those of the user's posts); is_assignee() and my_tasks_now() then apply on_shift() exactly.
    from shuangfang.duty.services import on_duty

    for m in memberships:
        unit = m.organization.institution or m.organization
        if user in on_duty(unit, at=at):
            cond |= Q(assignee_kind=AssigneeKind.ON_SHIFT, organization_id=unit.pk)
    if post_ids:
        cond |= Q(assignee_kind=AssigneeKind.ON_SHIFT, assignee_post_id__in=post_ids)
    return cond


def is_assignee(user: User, task, *, at: dt.datetime) -> bool:
    if task.assignee_kind == AssigneeKind.ON_SHIFT:
        return user in on_shift(task.organization, at=at, post=task.assignee_post)
    from .models import Task

    return Task.objects.filter(pk=task.pk).filter(mine_q(user, at=at)).exists()
