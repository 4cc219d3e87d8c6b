"""Inspection plans and the tasks they generate ahead of time (the periodic job, with
:func:`shuangfang.inspections.taskflow.sweep_missed`: huey task + ``manage.py inspections_generate``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core import audit
from shuangfang.core.tenancy import require
from shuangfang.orgs.models import Organization, Post, User
from shuangfang.orgs.roles import Role

from . import recurrence
from .checklists import require_institution
from .choices import AssigneeKind, TaskStatus
from .models import Checklist, Checkpoint, Plan, PlanTemplate, Task

PLAN_FIELDS = [
    "name",
    "checklist",
    "location",
    "place_code",
    "assignee_kind",
    "assignee_user",
    "assignee_post",
    "assignee_role",
    "frequency",
    "rule",
    "starts_on",
    "ends_on",
    "is_active",
]

audit.register_actions(
    {
        "plan.create": gettext_lazy("Inspection plan created"),
        "plan.update": gettext_lazy("Inspection plan changed"),
    }
)


# --- Plans ---------------------------------------------------------------------------------------


def _check_assignee(organization: Organization, kind: str, user, post, role: str) -> None:
    if kind == AssigneeKind.PERSON and user is None:
        raise ValidationError(_("Choose the person who does it."))
    if kind == AssigneeKind.POST and post is None:
        raise ValidationError(_("Choose the post that does it."))
    if kind == AssigneeKind.ROLE and role not in Role.values:
        raise ValidationError(_("Choose the role that does it."))
    if kind == AssigneeKind.ON_SHIFT and post is None:
        raise ValidationError(_("Choose the post whose holder on shift does it."))
    if post is not None and post.organization_id != organization.pk:
        raise ValidationError(_("The post must belong to %(institution)s.") % {"institution": organization})
    if (
        user is not None
        and not user.memberships.filter(
            Q(organization=organization) | Q(organization__institution=organization)
        ).exists()
    ):
        raise ValidationError(
            _("%(name)s does not work at %(institution)s.") % {"name": user, "institution": organization}
        )


@transaction.atomic
def create_plan(
    *,
    actor: User,
    organization: Organization,
    name: str,
    checklist: Checklist,
    frequency: str,
    rule: dict[str, Any],
    assignee_kind: str,
    assignee_user: User | None = None,
    assignee_post: Post | None = None,
    assignee_role: str = "",
    checkpoints: list[Checkpoint] | None = None,
    location: str = "",
    place_code: str = "",
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    template: PlanTemplate | None = None,
) -> Plan:
    require(actor, "inspection.manage", organization)
    require_institution(organization)
    if checklist.organization_id != organization.pk:
        raise ValidationError(
            _("The checklist must belong to %(institution)s.") % {"institution": organization}
        )
    checkpoints = checkpoints or []
    if any(cp.organization_id != organization.pk for cp in checkpoints):
        raise ValidationError(
            _("The checkpoints must belong to %(institution)s.") % {"institution": organization}
        )
    if not checkpoints and not location.strip():
        raise ValidationError(_("Choose checkpoints or say where."))
    if not name.strip():
        raise ValidationError(_("Give the plan a name."))
    rule = recurrence.validate(frequency, rule)
    _check_assignee(organization, assignee_kind, assignee_user, assignee_post, assignee_role)
    plan = Plan.objects.create(
        organization=organization,
        name=name.strip(),
        checklist=checklist,
        frequency=frequency,
        rule=rule,
        assignee_kind=assignee_kind,
        assignee_user=assignee_user if assignee_kind == AssigneeKind.PERSON else None,
        assignee_post=assignee_post if assignee_kind in (AssigneeKind.POST, AssigneeKind.ON_SHIFT) else None,
        assignee_role=assignee_role if assignee_kind == AssigneeKind.ROLE else "",
        location=location.strip(),
        place_code=place_code,
        starts_on=starts_on,
        ends_on=ends_on,
        template=template,
    )
    plan.checkpoints.set(checkpoints)
    audit.record(
        actor=actor,
        action="plan.create",
        obj=plan,
        organization=organization,
        after=audit.snapshot(plan, PLAN_FIELDS),
    )
    return plan


@transaction.atomic
def set_plan_active(*, actor: User, plan: Plan, active: bool) -> Plan:
    require(actor, "inspection.manage", plan.organization)
    before = audit.snapshot(plan, PLAN_FIELDS)
    plan.is_active = active
    plan.save(update_fields=["is_active"])
    if not active:  # future tasks of a paused plan go away; past and current ones stay
        Task.objects.filter(plan=plan, status=TaskStatus.OPEN, window_start__gt=timezone.now()).delete()
        plan.generated_until = None
        plan.save(update_fields=["generated_until"])
    audit.record(
        actor=actor,
        action="plan.update",
        obj=plan,
        organization=plan.organization,
        before=before,
        after=audit.snapshot(plan, PLAN_FIELDS),
    )
    return plan


# --- Task generation (periodic job) --------------------------------------------------------------

GENERATE_BATCH = 500
MAX_BACKFILL = dt.timedelta(days=7)


def _plan_tasks(
    plan: Plan,
    checkpoints: list[Checkpoint],
    cal: recurrence.Calendar,
    lo: dt.datetime,
    first: bool,
    hi: dt.datetime,
) -> list[Task]:
    local_lo = timezone.localtime(lo, recurrence.TZ).date() - dt.timedelta(days=1)
    local_hi = timezone.localtime(hi, recurrence.TZ).date()
    if plan.starts_on:
        local_lo = max(local_lo, plan.starts_on)
    if plan.ends_on:
        local_hi = min(local_hi, plan.ends_on)
    if local_lo > local_hi:
        return []
    places: list[tuple[str, Checkpoint | None, str]] = [(str(cp.uuid), cp, str(cp)) for cp in checkpoints]
    places = places or [("", None, plan.location)]
    out = []
    for start, end in recurrence.occurrences(plan.frequency, plan.rule, local_lo, local_hi, cal):
        if start >= hi or (end <= lo if first else start < lo):
            continue
        for key, cp, where in places:
            out.append(
                Task(
                    organization_id=plan.organization_id,
                    plan=plan,
                    checkpoint=cp,
                    place_key=key,
                    location=where[:160],  # generated from a checkpoint: may be cut
                    window_start=start,
                    window_end=end,
                    assignee_kind=plan.assignee_kind,
                    assignee_user_id=plan.assignee_user_id,
                    assignee_post_id=plan.assignee_post_id,
                    assignee_role=plan.assignee_role,
                )
            )
    return out


def generate_tasks(
    *, now: dt.datetime | None = None, horizon: dt.timedelta = dt.timedelta(hours=36), organizations=None
) -> int:
    """Create the tasks of every active plan whose windows start before ``now + horizon``.

    Idempotent: a plan remembers how far it was generated (``generated_until``) and the unique
    constraint (plan, place, window start) with ``ignore_conflicts`` makes a rerun create nothing.
    Safe with two workers: each claims a batch of plans with ``SELECT … FOR UPDATE SKIP LOCKED``.
    """
    now = now or timezone.now()
    hi = now + horizon
    floor = now - MAX_BACKFILL
    cal = recurrence.Calendar.load(timezone.localdate(floor), timezone.localdate(hi))
    created = 0
    seen: set[int] = set()
    while True:
        with transaction.atomic():
            qs = Plan.objects.filter(is_active=True, checklist__is_active=True).filter(
                Q(generated_until__isnull=True) | Q(generated_until__lt=hi)
            )
            if organizations is not None:
                qs = qs.filter(organization__in=organizations)
            plans = list(
                qs.exclude(pk__in=seen)
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("pk")[:GENERATE_BATCH]
            )
            if not plans:
                break
            seen.update(p.pk for p in plans)
            through = Plan.checkpoints.through
            cps: dict[int, list[Checkpoint]] = {}
            for link in through.objects.filter(
                plan_id__in=[p.pk for p in plans], checkpoint__is_active=True
            ).select_related("checkpoint"):
                cps.setdefault(link.plan_id, []).append(link.checkpoint)
            rows: list[Task] = []
            for plan in plans:
                first = plan.generated_until is None
                lo = max(plan.generated_until or min(plan.created_at, now), floor)
                rows.extend(_plan_tasks(plan, cps.get(plan.pk, []), cal, lo, first, hi))
            ids = [p.pk for p in plans]
            before = Task.objects.filter(plan_id__in=ids).count() if rows else 0
            Task.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
            created += Task.objects.filter(plan_id__in=ids).count() - before if rows else 0
            Plan.objects.filter(pk__in=[p.pk for p in plans]).update(generated_until=hi)
    return created


# --- Checkpoints joining a plan (the equipment app: a new item joins its kind's plans) -----------

LOOK_BACK = dt.timedelta(days=93)  # the longest window (92 days) plus a day


def open_windows_now(plan: Plan, checkpoints: list[Checkpoint], *, now: dt.datetime | None = None) -> int:
    """Create the tasks of ``plan`` at ``checkpoints`` whose window is open at ``now`` or starts
    before the plan's generation horizon: a long window (a month, 15 days) that began before the
    plan or the checkpoint existed is still due, where :func:`generate_tasks` only looks a day back.
    Idempotent (the unique window constraint)."""
    now = now or timezone.now()
    hi = max(plan.generated_until or now, now)
    lo_day = timezone.localtime(now - LOOK_BACK, recurrence.TZ).date()
    hi_day = timezone.localtime(hi, recurrence.TZ).date()
    if plan.starts_on:
        lo_day = max(lo_day, plan.starts_on)
    if plan.ends_on:
        hi_day = min(hi_day, plan.ends_on)
    cal = recurrence.Calendar.load(lo_day, hi_day)
    rows = [
        Task(
            organization_id=plan.organization_id,
            plan=plan,
            checkpoint=cp,
            place_key=str(cp.uuid),
            location=str(cp)[:160],  # generated from a checkpoint: may be cut
            window_start=start,
            window_end=end,
            assignee_kind=plan.assignee_kind,
            assignee_user_id=plan.assignee_user_id,
            assignee_post_id=plan.assignee_post_id,
            assignee_role=plan.assignee_role,
        )
        for start, end in recurrence.occurrences(plan.frequency, plan.rule, lo_day, hi_day, cal)
        if end > now and start <= hi
        for cp in checkpoints
    ]
    before = Task.objects.filter(plan=plan).count()
    Task.objects.bulk_create(rows, ignore_conflicts=True)
    return Task.objects.filter(plan=plan).count() - before


@transaction.atomic
def add_checkpoints(
    *, actor: User, plan: Plan, checkpoints: list[Checkpoint], now: dt.datetime | None = None
) -> int:
    """Add checkpoints to a plan; their tasks of the windows open now are created at once."""
    require(actor, "inspection.manage", plan.organization)
    if any(cp.organization_id != plan.organization_id for cp in checkpoints):
        raise ValidationError(
            _("The checkpoints must belong to %(institution)s.") % {"institution": plan.organization}
        )
    before = audit.snapshot(plan, PLAN_FIELDS)
    plan.checkpoints.add(*checkpoints)
    audit.record(
        actor=actor,
        action="plan.update",
        obj=plan,
        organization=plan.organization,
        before=before,
        after={**audit.snapshot(plan, PLAN_FIELDS), "checkpoints_added": [str(cp) for cp in checkpoints]},
    )
    if not plan.is_active:
        return 0
    return open_windows_now(plan, checkpoints, now=now)
