"""State changes of inspections: checklists, checkpoints, plans, task generation, the missed-task
sweep, and submitting a record (with photos and one ``inspection.problem_found`` event per problem).

Functions that a person calls take a keyword-only ``actor``, re-check the permission, run in one
transaction and write an audit row. ``generate_tasks`` and ``sweep_missed`` are the periodic job
(huey task + ``manage.py inspections_generate``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core import audit, events
from shuangfang.core.photos import save_photo
from shuangfang.core.tenancy import require
from shuangfang.core.uploads import check_image
from shuangfang.core.vocabulary import HazardGrade, Severity
from shuangfang.core.workflow import Transition, Workflow
from shuangfang.orgs.models import Organization, OrgKind, Post, User
from shuangfang.orgs.roles import Role

from . import recurrence
from .assignment import assignees, is_assignee
from .choices import AssigneeKind, ChecklistKind, Result, TaskStatus
from .counts import TASKS
from .models import (
    Checklist,
    ChecklistItem,
    Checkpoint,
    LibraryItem,
    Plan,
    PlanTemplate,
    Record,
    RecordItem,
    RecordPhoto,
    Task,
)

CHECKLIST_FIELDS = ["name", "kind", "category", "description", "is_active"]
ITEM_FIELDS = ["text", "category", "basis", "requires_photo", "default_grade", "major_criterion", "is_active"]
CHECKPOINT_FIELDS = ["name", "building", "floor", "place_code", "risk_point", "is_active"]
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
        "checklist.create": gettext_lazy("Checklist created"),
        "checklist.update": gettext_lazy("Checklist changed"),
        "checklist_item.add": gettext_lazy("Checklist item added"),
        "checklist_item.update": gettext_lazy("Checklist item changed"),
        "checkpoint.create": gettext_lazy("Checkpoint created"),
        "checkpoint.update": gettext_lazy("Checkpoint changed"),
        "plan.create": gettext_lazy("Inspection plan created"),
        "plan.update": gettext_lazy("Inspection plan changed"),
        "record.submit": gettext_lazy("Inspection submitted"),
        "record.bureau": gettext_lazy("Bureau inspection recorded"),
        "task.missed": gettext_lazy("Inspection task missed"),
        "task.submit": gettext_lazy("Inspection task done"),
    }
)

# The task workflow (``core.workflow``): the assignee submits an open task within its window; the
# sweep (the system) marks an open task whose window has ended missed. A bureau inspection creates
# its task already done: it records an inspection made on the spot, it moves nothing.


def _task_refusal(task: Task, row: Transition | None, action: str) -> str:
    if task.status == TaskStatus.DONE:
        return _("This task was already done; it cannot be submitted again.")
    if task.status == TaskStatus.MISSED:
        return _("This task was missed: its time window has ended.")
    return _("This change is not allowed.")


def _in_window_and_mine(task: Task, actor: User, ctx: dict[str, Any]) -> None:
    """The task is submitted within its window, by the person it is assigned to (then)."""
    at = ctx["at"]
    if task.plan is None:
        raise ValidationError(_("This change is not allowed."))
    if at < task.window_start:
        raise ValidationError(
            _("This task starts at %(time)s; it cannot be done yet.")
            % {"time": timezone.localtime(task.window_start).strftime("%m-%d %H:%M")}
        )
    if at >= task.window_end:
        raise ValidationError(
            _("The time window of this task ended at %(time)s; it can no longer be submitted.")
            % {"time": timezone.localtime(task.window_end).strftime("%m-%d %H:%M")}
        )
    if not is_assignee(actor, task, at=at):
        raise PermissionDenied(_("This task is not yours."))


def _close(task: Task, actor: User | None, ctx: dict[str, Any]) -> None:
    task.closed_at = ctx["at"]


TASK_FLOW: Workflow[Task] = Workflow(
    Task,
    [
        Transition(
            TaskStatus.OPEN,
            "submit",
            TaskStatus.DONE,
            who="inspection.do",
            guard=_in_window_and_mine,
            effects=[_close],
            label=gettext_lazy("Submit"),
        ),
        Transition(
            TaskStatus.OPEN,
            "miss",
            TaskStatus.MISSED,
            who=None,  # the sweep
            effects=[_close],
            label=gettext_lazy("Missed"),
            audit_action="task.missed",
        ),
    ],
    audit_prefix="task.",
    counter=TASKS,  # moved by the workflow, as the last write
    refusal=_task_refusal,
)


def _institution(org: Organization) -> Organization:
    if org.kind != OrgKind.INSTITUTION:
        raise ValidationError(_("Inspections belong to an institution."))
    return org


# --- Checklists ----------------------------------------------------------------------------------


@transaction.atomic
def create_checklist(
    *,
    actor: User,
    organization: Organization,
    name: str,
    kind: str,
    category: str,
    description: str = "",
    library_codes: list[str] | None = None,
) -> Checklist:
    require(actor, "inspection.bureau" if kind == ChecklistKind.BUREAU else "inspection.manage", organization)
    if kind != ChecklistKind.BUREAU:
        _institution(organization)
    if not name.strip():
        raise ValidationError(_("Give the checklist a name."))
    checklist = Checklist.objects.create(
        organization=organization, name=name.strip(), kind=kind, category=category, description=description
    )
    audit.record(
        actor=actor,
        action="checklist.create",
        obj=checklist,
        organization=organization,
        after=audit.snapshot(checklist, CHECKLIST_FIELDS),
    )
    if library_codes:
        _add_library(actor, checklist, library_codes)
    return checklist


def _checklist_perm(checklist: Checklist) -> str:
    return "inspection.bureau" if checklist.kind == ChecklistKind.BUREAU else "inspection.manage"


@transaction.atomic
def update_checklist(*, actor: User, checklist: Checklist, **changes) -> Checklist:
    require(actor, _checklist_perm(checklist), checklist.organization)
    before = audit.snapshot(checklist, CHECKLIST_FIELDS)
    for key in ("name", "category", "description", "is_active"):
        if key in changes:
            setattr(checklist, key, changes[key])
    checklist.save()
    audit.record(
        actor=actor,
        action="checklist.update",
        obj=checklist,
        organization=checklist.organization,
        before=before,
        after=audit.snapshot(checklist, CHECKLIST_FIELDS),
    )
    return checklist


def _next_order(checklist: Checklist) -> int:
    last = checklist.items.order_by("-order").values_list("order", flat=True).first()
    return (last or 0) + 1


def _add_library(actor: User, checklist: Checklist, codes: list[str]) -> list[ChecklistItem]:
    library = {li.code: li for li in LibraryItem.objects.filter(code__in=codes)}
    missing = [c for c in codes if c not in library]
    if missing:
        raise ValidationError(_("Unknown library items: %(codes)s.") % {"codes": ", ".join(missing)})
    order = _next_order(checklist)
    items = []
    for i, code in enumerate(codes):
        li = library[code]
        item = ChecklistItem.objects.create(
            checklist=checklist,
            order=order + i,
            category=li.category,
            text=li.text,
            basis=li.basis,
            requires_photo=li.requires_photo,
            default_grade=li.default_grade or HazardGrade.GENERAL,
            major_criterion=li.basis if li.default_grade == HazardGrade.MAJOR else "",
            source_kind="library",
            source_ref=li.code,
        )
        audit.record(
            actor=actor,
            action="checklist_item.add",
            obj=item,
            organization=checklist.organization,
            after=audit.snapshot(item, ITEM_FIELDS),
        )
        items.append(item)
    return items


@transaction.atomic
def add_library_items(*, actor: User, checklist: Checklist, codes: list[str]) -> list[ChecklistItem]:
    require(actor, _checklist_perm(checklist), checklist.organization)
    return _add_library(actor, checklist, codes)


@transaction.atomic
def add_measure_items(*, actor: User, checklist: Checklist, risk_point, category: str) -> list[ChecklistItem]:
    """Items from the risk register: one per control measure of ``risk_point`` that says what to
    check, not already on the checklist. Major-level risk points' items fail as major hazards."""
    from shuangfang.risks.choices import RiskLevel
    from shuangfang.risks.models import ControlMeasure

    require(actor, _checklist_perm(checklist), checklist.organization)
    if risk_point.organization_id != checklist.organization_id:
        raise ValidationError(_("The risk point belongs to another institution."))
    present = set(checklist.items.filter(source_kind="control_measure").values_list("source_ref", flat=True))
    measures = (
        ControlMeasure.objects.filter(factor__risk_point=risk_point)
        .exclude(what_to_check="")
        .select_related("factor")
        .order_by("factor_id", "id")
    )
    grade = HazardGrade.MAJOR if risk_point.inherent_level == RiskLevel.MAJOR else HazardGrade.GENERAL
    added = []
    for m in measures:
        if str(m.uuid) in present:
            continue
        added.append(
            add_item(
                actor=actor,
                checklist=checklist,
                text=m.what_to_check[:300],
                category=category,
                basis=f"{risk_point.code} {risk_point.name}: {m.factor.description}"[:200],
                default_grade=grade,
                source_kind="control_measure",
                source_ref=str(m.uuid),
            )
        )
    if not added:
        raise ValidationError(
            _("This risk point has no control measure with something to check that is not already here.")
        )
    return added


@transaction.atomic
def add_item(
    *,
    actor: User,
    checklist: Checklist,
    text: str,
    category: str,
    basis: str = "",
    requires_photo: bool = False,
    default_grade: str = HazardGrade.GENERAL,
    major_criterion: str = "",
    source_kind: str = "",
    source_ref: str = "",
) -> ChecklistItem:
    require(actor, _checklist_perm(checklist), checklist.organization)
    if not text.strip():
        raise ValidationError(_("Say what to check."))
    item = ChecklistItem.objects.create(
        checklist=checklist,
        order=_next_order(checklist),
        text=text.strip(),
        category=category,
        basis=basis,
        requires_photo=requires_photo,
        default_grade=default_grade,
        major_criterion=major_criterion,
        source_kind=source_kind,
        source_ref=source_ref,
    )
    audit.record(
        actor=actor,
        action="checklist_item.add",
        obj=item,
        organization=checklist.organization,
        after=audit.snapshot(item, ITEM_FIELDS),
    )
    return item


@transaction.atomic
def update_item(*, actor: User, item: ChecklistItem, **changes) -> ChecklistItem:
    require(actor, _checklist_perm(item.checklist), item.checklist.organization)
    before = audit.snapshot(item, ITEM_FIELDS)
    for key in ITEM_FIELDS:
        if key in changes:
            setattr(item, key, changes[key])
    if not item.text.strip():
        raise ValidationError(_("Say what to check."))
    item.save()
    audit.record(
        actor=actor,
        action="checklist_item.update",
        obj=item,
        organization=item.checklist.organization,
        before=before,
        after=audit.snapshot(item, ITEM_FIELDS),
    )
    return item


# --- Checkpoints ---------------------------------------------------------------------------------


@transaction.atomic
def create_checkpoint(
    *,
    actor: User,
    organization: Organization,
    name: str,
    building: str = "",
    floor: str = "",
    place_code: str = "",
    risk_point=None,
) -> Checkpoint:
    require(actor, "inspection.manage", organization)
    _institution(organization)
    if not name.strip():
        raise ValidationError(_("Give the checkpoint a name."))
    if risk_point is not None and risk_point.organization_id != organization.pk:
        raise ValidationError(_("The risk point belongs to another institution."))
    cp = Checkpoint.objects.create(
        organization=organization,
        name=name.strip(),
        building=building,
        floor=floor,
        place_code=place_code,
        risk_point=risk_point,
    )
    audit.record(
        actor=actor,
        action="checkpoint.create",
        obj=cp,
        organization=organization,
        after=audit.snapshot(cp, CHECKPOINT_FIELDS),
    )
    return cp


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
    _institution(organization)
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
                    location=where[:160],
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


def sweep_missed(*, now: dt.datetime | None = None, batch: int = 1000) -> int:
    """Open tasks whose window has ended become missed (漏检); one ``inspection.task_missed`` each."""
    now = now or timezone.now()
    total = 0
    while True:
        with transaction.atomic():
            tasks = list(
                Task.objects.filter(status=TaskStatus.OPEN, window_end__lte=now)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("plan", "organization", "assignee_user", "assignee_post")
                .order_by("pk")[:batch]
            )
            if not tasks:
                break
            cache: dict[tuple, list[int]] = {}
            for task in tasks:
                key = (
                    task.organization_id,
                    task.assignee_kind,
                    task.assignee_user_id,
                    task.assignee_post_id,
                    task.assignee_role,
                )
                if key not in cache:
                    cache[key] = [u.pk for u in assignees(task)]
                events.publish(
                    "inspection.task_missed",
                    organization_id=task.organization_id,
                    object_uuid=str(task.uuid),
                    task_uuid=str(task.uuid),
                    title=_("Inspection missed: %(plan)s · %(place)s · %(time)s")
                    % {
                        "plan": task.plan.name,
                        "place": task.location,
                        "time": timezone.localtime(task.window_start).strftime("%m-%d %H:%M"),
                    },
                    url=reverse("inspections:ledger") + f"?status=missed&plan={task.plan.uuid}",
                    severity=Severity.WARNING,
                    recipient_ids=cache[key],
                    roles=["safety_officer"],
                )
            # Locked above, so all of them are open: one update, one audit row each, the counts last.
            TASK_FLOW.move_many(tasks, "miss", actor=None, at=now)
            total += len(tasks)
    return total


# --- Submitting a record -------------------------------------------------------------------------


@dataclass
class Answer:
    item_uuid: str
    result: str
    note: str = ""
    photos: list = field(default_factory=list)


@dataclass
class Position:
    latitude: float | None = None
    longitude: float | None = None
    accuracy_m: int | None = None


def _check_answers(items: list[ChecklistItem], answers: dict[str, Answer]) -> dict[str, str]:
    """Field-level errors keyed by item uuid ({} when everything is fine). Nothing is saved here."""
    errors: dict[str, str] = {}
    for item in items:
        a = answers.get(str(item.uuid))
        if a is None or a.result not in Result.values:
            errors[str(item.uuid)] = _("Choose OK, problem or not applicable.")
            continue
        if item.requires_photo and a.result != Result.NA and not a.photos:
            errors[str(item.uuid)] = _("This item needs a photo.")
            continue
        if a.result == Result.PROBLEM and not a.photos and not a.note.strip():
            errors[str(item.uuid)] = _("Describe the problem or take a photo.")
            continue
        for upload in a.photos:
            try:
                check_image(upload)
            except ValidationError as exc:
                errors[str(item.uuid)] = " ".join(exc.messages)
                break
    return errors


class AnswerErrors(ValidationError):
    """A ValidationError that also carries the per-item messages for the form."""

    def __init__(self, item_errors: dict[str, str]):
        super().__init__(_("Some items need your attention (marked below). Nothing was saved."))
        self.item_errors = item_errors


def _save(
    *,
    actor: User,
    organization: Organization,
    checklist: Checklist,
    items: list[ChecklistItem],
    answers: dict[str, Answer],
    note: str,
    location: str,
    checkpoint: Checkpoint | None,
    task: Task | None,
    position: Position | None,
    at: dt.datetime,
    by_bureau: Organization | None = None,
    department_id: int | None = None,
) -> Record:
    position = position or Position()
    record = Record.objects.create(
        organization=organization,
        task=task,
        checklist=checklist,
        checkpoint=checkpoint,
        location=location,
        inspector=actor,
        by_bureau=by_bureau,
        submitted_at=at,
        latitude=position.latitude,
        longitude=position.longitude,
        accuracy_m=position.accuracy_m,
        note=note,
    )
    problems = 0
    for item in items:
        a = answers[str(item.uuid)]
        ri = RecordItem.objects.create(
            record=record,
            item=item,
            text=item.text,
            category=item.category,
            result=a.result,
            note=a.note.strip()[:500],
            grade=item.default_grade if a.result == Result.PROBLEM else "",
        )
        names = []
        for upload in a.photos:
            stored = save_photo(upload, folder=f"inspections/{organization.pk}")
            RecordPhoto.objects.create(
                record_item=ri, original=stored.original, display=stored.display, thumb=stored.thumb
            )
            names.append(stored.original)
        if a.result == Result.PROBLEM:
            problems += 1
            events.publish(
                "inspection.problem_found",
                organization_id=organization.pk,
                object_uuid=str(ri.uuid),
                title=_("Problem found: %(item)s · %(place)s") % {"item": item.text[:40], "place": location},
                url=reverse("inspections:record", args=[record.uuid]),
                severity=Severity.CRITICAL if ri.grade == HazardGrade.MAJOR else Severity.WARNING,
                roles=["safety_officer"],
                reporter_id=actor.pk,
                description=f"{item.text}{'：' + ri.note if ri.note else ''}",
                location=location,
                department_id=department_id,
                category=item.category,
                grade=ri.grade,
                photo_names=names,
                origin=ri.origin,
                record_uuid=str(record.uuid),
                risk_point_id=checkpoint.risk_point_id if checkpoint is not None else None,
            )
    record.problem_count = problems
    record.save(update_fields=["problem_count"])
    return record


def submit_record(
    *,
    actor: User,
    task: Task,
    answers: list[Answer],
    note: str = "",
    position: Position | None = None,
    now: dt.datetime | None = None,
) -> Record:
    """The person assigned to ``task`` submits it within its window. All or nothing."""
    at = now or timezone.now()
    by_item = {a.item_uuid: a for a in answers}
    with transaction.atomic():
        task = (
            Task.objects.select_for_update(of=("self",))
            .select_related("plan", "plan__checklist", "organization", "checkpoint", "assignee_post")
            .get(pk=task.pk)
        )
        require(actor, "inspection.do", task.organization)
        TASK_FLOW.check(task, "submit", actor, at=at)  # refuses with the reason before the answers
        plan = task.plan
        assert plan is not None
        items = list(plan.checklist.items.filter(is_active=True))
        errors = _check_answers(items, by_item)
        if errors:
            raise AnswerErrors(errors)
        record = _save(
            actor=actor,
            organization=task.organization,
            checklist=plan.checklist,
            items=items,
            answers=by_item,
            note=note,
            location=task.location,
            checkpoint=task.checkpoint,
            task=task,
            position=position,
            at=at,
            department_id=task.assignee_post.department_id if task.assignee_post else None,
        )
        audit.record(
            actor=actor,
            action="record.submit",
            obj=record,
            organization=task.organization,
            after={"task": str(task), "problems": record.problem_count, "items": len(items)},
        )
        TASK_FLOW.move(task, "submit", actor=actor, at=at)  # moves the daily counts: the last write
    return record


def bureau_inspect(
    *,
    actor: User,
    institution: Organization,
    checklist: Checklist,
    answers: list[Answer],
    note: str = "",
    location: str = "",
    now: dt.datetime | None = None,
) -> Record:
    """A bureau supervisor inspects an institution below their bureau with a bureau checklist."""
    at = now or timezone.now()
    with transaction.atomic():
        require(actor, "inspection.bureau", institution)
        _institution(institution)
        if checklist.kind != ChecklistKind.BUREAU or not institution.is_within(checklist.organization):
            raise ValidationError(_("Choose a bureau checklist of a bureau above this institution."))
        items = list(checklist.items.filter(is_active=True))
        by_item = {a.item_uuid: a for a in answers}
        errors = _check_answers(items, by_item)
        if errors:
            raise AnswerErrors(errors)
        task = Task.objects.create(
            organization=institution,
            plan=None,
            place_key=f"bureau:{actor.pk}",
            location=(location or institution.name)[:160],
            window_start=at,
            window_end=at + dt.timedelta(minutes=1),
            status=TaskStatus.DONE,
            closed_at=at,
            assignee_kind=AssigneeKind.PERSON,
            assignee_user=actor,
        )
        record = _save(
            actor=actor,
            organization=institution,
            checklist=checklist,
            items=items,
            answers=by_item,
            note=note,
            location=location or institution.name,
            checkpoint=None,
            task=task,
            position=None,
            at=at,
            by_bureau=checklist.organization,
        )
        audit.record(
            actor=actor,
            action="record.bureau",
            obj=record,
            organization=institution,
            after={"checklist": checklist.name, "problems": record.problem_count},
        )
        TASKS.move({}, TASKS.of([task]))  # the last write: see core.counters
    return record


def my_tasks_now(user: User, *, at: dt.datetime | None = None, checkpoint: Checkpoint | None = None):
    """Open tasks assigned to ``user`` whose window is open now (optionally at one checkpoint)."""
    from .assignment import mine_q

    at = at or timezone.now()
    qs = (
        Task.objects.for_user(user, "inspection.do")
        .due_at(at)
        .filter(mine_q(user, at=at))
        .select_related("plan", "plan__checklist", "checkpoint")
        .order_by("window_end", "id")
    )
    if checkpoint is not None:
        qs = qs.filter(checkpoint=checkpoint)
    return qs


def my_missed_count(user: User, *, days: int = 7, at: dt.datetime | None = None) -> int:
    """How many of ``user``'s tasks were missed in the last ``days`` days (shown on their page)."""
    from .assignment import mine_q

    at = at or timezone.now()
    return (
        Task.objects.for_user(user, "inspection.do")
        .filter(status=TaskStatus.MISSED, window_end__gt=at - dt.timedelta(days=days), window_end__lte=at)
        .filter(mine_q(user, at=at))
        .count()
    )


def my_tasks_page(
    user: User, *, limit: int = 50, at: dt.datetime | None = None, checkpoint=None
) -> list[Task]:
    """The first ``limit`` of :func:`my_tasks_now`, with item counts. Ids first, then the rows with
    their plan/checklist/checkpoint: the joins run for ``limit`` rows, not for every open task."""
    ids = list(
        my_tasks_now(user, at=at, checkpoint=checkpoint)
        .select_related(None)
        .values_list("id", flat=True)[:limit]
    )
    tasks = list(
        Task.objects.filter(id__in=ids)
        .select_related("plan", "plan__checklist", "checkpoint", "organization", "assignee_post")
        .order_by("window_end", "id")
    )
    from .assignment import is_assignee

    now = at or timezone.now()
    tasks = [t for t in tasks if t.assignee_kind != AssigneeKind.ON_SHIFT or is_assignee(user, t, at=now)]
    return with_item_counts(tasks)


def with_item_counts(tasks: list[Task]) -> list[Task]:
    """Set ``n_items`` (active items of the task's checklist) on each task, in one query."""
    ids = {t.plan.checklist_id for t in tasks if t.plan is not None}
    counts = dict(
        ChecklistItem.objects.filter(checklist_id__in=ids, is_active=True)
        .order_by()
        .values_list("checklist_id")
        .annotate(n=Count("id"))
    )
    for t in tasks:
        t.n_items = counts.get(t.plan.checklist_id, 0) if t.plan is not None else 0  # type: ignore[attr-defined]
    return tasks
