"""Patrol plans through the inspection plans' scheduling (as the equipment app made maintenance into
inspection plans): each plan is one ``inspections.Plan`` with a one-line checklist, so its tasks are
generated, shown in "my tasks", and a patrol not started in its window is a **missed task** like any
other (``inspections.taskflow.sweep_missed``, the ``inspection.task_missed`` notification).

* the **daily patrol** (街面巡查, every day, the station chooses the hour and the window);
* **night patrols in extreme weather** (cold wave, heat wave, storm: domain-reference §5.7): the
  station declares the period (first and last night); the plan's dates are the period's, one task a
  night from 20:00 (by default) for 10 hours.

A patrol started in the window of a task by one of its assignees does that task (an inspection
record "patrol started" is submitted through ``inspections.taskflow.submit_record``)."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core import audit
from shuangfang.core.tenancy import require
from shuangfang.core.vocabulary import CheckCategory
from shuangfang.inspections import checklists, plans
from shuangfang.inspections.choices import AssigneeKind, ChecklistKind, Frequency, Result, TaskStatus
from shuangfang.inspections.models import Checklist, Task
from shuangfang.inspections.records import Answer
from shuangfang.inspections.taskflow import submit_record
from shuangfang.orgs.roles import Role
from shuangfang.relief import persons

from .choices import PatrolPlanKind, Weather
from .models import Patrol
from .plan_models import PatrolPlan

audit.register_actions(
    {
        "outreach.plan_created": gettext_lazy("Set a street patrol plan"),
        "outreach.weather_declared": gettext_lazy("Declared extreme weather: night patrols"),
    }
)
TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
NIGHT_START = "20:00"
NIGHT_HOURS = 10
# Roles a station can give its patrol tasks to (everyone at a station who may run a patrol).
PATROL_ROLES = [Role.STAFF, Role.DEPARTMENT_HEAD, Role.SAFETY_OFFICER, Role.INSTITUTION_HEAD]


def _checklist(actor, station) -> Checklist:
    """The station's patrol checklist (one item), made on first use."""
    existing = PatrolPlan.objects.filter(organization=station).select_related("plan__checklist").first()
    if existing is not None:
        return existing.plan.checklist
    checklist = checklists.create_checklist(
        actor=actor,
        organization=station,
        name=_("Street patrol")[:80],
        kind=ChecklistKind.POST,
        category=CheckCategory.SECURITY,
        description=_("Made by street outreach: a patrol started in the window does the task."),
    )
    checklists.add_item(
        actor=actor,
        checklist=checklist,
        text=_("Street patrol started: key areas patrolled, people met logged"),
        category=CheckCategory.SECURITY,
        basis=_("Street patrols (domain-reference §5.7)"),
    )
    return checklist


def _hours(value, low: int, high: int) -> int:
    try:
        hours = int(value)
    except (TypeError, ValueError):
        raise ValidationError({"hours": _("Give the length of the window in hours.")}) from None
    if not low <= hours <= high:
        raise ValidationError(
            {"hours": _("The window lasts from %(low)s to %(high)s hours.") % {"low": low, "high": high}}
        )
    return hours


def _check(station, time: str, role: str) -> None:
    persons.require_station(station)
    if not TIME.match(time or ""):
        raise ValidationError({"time": _("Give the start time as HH:MM.")})
    if role not in PATROL_ROLES:
        raise ValidationError({"role": _("Choose who patrols.")})


@transaction.atomic
def create_daily_plan(
    *, actor, station, time: str = "09:00", hours: int = 4, role: str = Role.STAFF, name: str = ""
) -> PatrolPlan:
    """The daily street patrol: one task a day from ``time`` for ``hours``."""
    require(actor, "inspection.manage", station)
    _check(station, time, role)
    hours = _hours(hours, 1, 24)
    plan = plans.create_plan(
        actor=actor,
        organization=station,
        name=(name.strip() or _("Daily street patrol"))[:80],
        checklist=_checklist(actor, station),
        frequency=Frequency.DAILY,
        rule={"time": time, "window_minutes": hours * 60},
        assignee_kind=AssigneeKind.ROLE,
        assignee_role=role,
        location=_("Streets and key areas"),
    )
    row = PatrolPlan.objects.create(
        organization=station, kind=PatrolPlanKind.DAILY, plan=plan, created_by=actor
    )
    audit.record(actor=actor, action="outreach.plan_created", obj=row, organization=station)
    plans.generate_tasks(organizations=[station])  # today's window at once (idempotent)
    return row


@transaction.atomic
def declare_extreme_weather(
    *,
    actor,
    station,
    weather: str,
    first_night: dt.date,
    last_night: dt.date,
    time: str = NIGHT_START,
    hours: int = NIGHT_HOURS,
    role: str = Role.STAFF,
    today: dt.date | None = None,
) -> PatrolPlan:
    """Night patrols every night of an extreme-weather period (first to last night, inclusive)."""
    require(actor, "inspection.manage", station)
    _check(station, time, role)
    if weather not in Weather.values:
        raise ValidationError({"weather": _("Choose the weather.")})
    if not first_night or not last_night:
        raise ValidationError(_("Give the first and last night."))
    if last_night < first_night:
        raise ValidationError({"last_night": _("The last night is before the first night.")})
    today = today or timezone.localdate()
    if last_night < today:
        raise ValidationError({"last_night": _("This period is over: night patrols are planned ahead.")})
    if (last_night - first_night).days > 92:
        raise ValidationError({"last_night": _("An extreme-weather period lasts at most 93 nights.")})
    hours = _hours(hours, 1, 14)
    label = Weather(weather).label
    night = _("Night patrol")
    plan = plans.create_plan(
        actor=actor,
        organization=station,
        name=(f"{night} · {label} {first_night:%m-%d}–{last_night:%m-%d}")[:80],
        checklist=_checklist(actor, station),
        frequency=Frequency.DAILY,
        rule={"time": time, "window_minutes": hours * 60},
        assignee_kind=AssigneeKind.ROLE,
        assignee_role=role,
        location=_("Streets and key areas (night)"),
        starts_on=first_night,
        ends_on=last_night,
    )
    row = PatrolPlan.objects.create(
        organization=station,
        kind=PatrolPlanKind.EXTREME_NIGHT,
        weather=weather,
        plan=plan,
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action="outreach.weather_declared",
        obj=row,
        organization=station,
        note=f"{label} {first_night}–{last_night}",
    )
    plans.generate_tasks(organizations=[station])
    return row


def due_tasks(station, at: dt.datetime):
    """Open patrol tasks of ``station`` whose window is open at ``at``, night patrols first."""
    ids = PatrolPlan.objects.filter(organization=station).values("plan_id")
    return (
        Task.objects.filter(plan_id__in=ids, status=TaskStatus.OPEN, window_start__lte=at, window_end__gt=at)
        .select_related("plan")
        .order_by("-window_start")
    )


def do_task(*, actor, patrol: Patrol) -> Task | None:
    """The patrol does the first patrol task open now that ``actor`` is assigned to (submitted as an
    inspection record in the task's window). None when no task is due or none is theirs."""
    at = patrol.started_at
    for task in due_tasks(patrol.organization, at):
        item = task.plan.checklist.items.filter(is_active=True).first()
        if item is None:
            continue
        try:
            with transaction.atomic():
                submit_record(
                    actor=actor,
                    task=task,
                    answers=[Answer(item_uuid=str(item.uuid), result=Result.OK)],
                    note=(_("Street patrol %(team)s") % {"team": patrol.team})[:500],
                    now=at,
                )
                Patrol.objects.filter(pk=patrol.pk).update(task=task)
        except (PermissionDenied, ValidationError):
            continue  # not theirs, or taken meanwhile: the next one
        patrol.task = task
        return task
    return None


def plans_of(station):
    return (
        PatrolPlan.objects.filter(organization=station)
        .select_related("plan", "created_by")
        .order_by("-plan__is_active", "-created_at")
    )
