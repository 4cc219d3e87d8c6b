"""The inspection task workflow (``TASK_FLOW``) and the code that moves tasks: a person submits
a task (:func:`submit_record`), the sweep marks the ones whose window ended missed
(:func:`sweep_missed`); and the person's open tasks now.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core import audit, events, messages
from shuangfang.core.tenancy import require
from shuangfang.core.vocabulary import Severity
from shuangfang.core.workflow import Transition, Workflow
from shuangfang.orgs.models import User

from .assignment import assignees, is_assignee
from .choices import SPOT_PREFIX, SPOT_TASKS, AssigneeKind, TaskStatus, is_spot_check
from .counts import TASKS
from .models import ChecklistItem, Checkpoint, Record, Task
from .records import Answer, AnswerErrors, Position, check_answers, check_texts, save_record

messages.register(
    {
        "inspection.task_missed": gettext_lazy("Inspection missed: %(plan)s · %(place)s · %(time)s"),
        "inspection.spot_missed": gettext_lazy("Spot check missed: %(place)s · %(time)s"),
    }
)
audit.register_actions(
    {
        "record.submit": gettext_lazy("Inspection submitted"),
        "task.missed": gettext_lazy("Inspection task missed"),
        "task.submit": gettext_lazy("Inspection task done"),
        "task.inspect": gettext_lazy("Spot-check task done by a bureau inspection"),
    }
)

# A bureau's spot-check task (定期抽查) has no plan: the readiness app's spot-check plan creates it
# open, for the bureau's inspector, against the institution, with ``place_key`` "spot:<bureau id>";
# the bureau inspection of that institution within its window closes it (``records.bureau_inspect``).


def spot_key(bureau_id: int) -> str:
    return f"{SPOT_PREFIX}{bureau_id}"


# The task workflow (``core.workflow``): the assignee submits an open task within its window; the
# sweep (the system) marks an open task whose window has ended missed. A bureau inspection creates
# its task already done: it records an inspection made on the spot, it moves nothing; or, when a
# spot-check task of that institution is open for it, the inspection closes that task ("inspect").


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


def _spot_in_window(task: Task, actor: User, ctx: dict[str, Any]) -> None:
    """A spot-check task is closed by a bureau inspection made within its window."""
    if not is_spot_check(task):
        raise ValidationError(_("This change is not allowed."))
    if not task.window_start <= ctx["at"] < task.window_end:
        raise ValidationError(_("This spot check is not due at this time."))


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
            "inspect",
            TaskStatus.DONE,
            who="inspection.bureau",
            guard=_spot_in_window,
            effects=[_close],
            label=gettext_lazy("Spot check done"),
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


def sweep_missed(*, now: dt.datetime | None = None, batch: int = 1000) -> int:
    """Open tasks whose window has ended become missed (漏检); one ``inspection.task_missed`` each
    (``inspection.spot_missed`` for a task without a plan: a bureau's spot check, told to its
    inspector only)."""
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
                when = timezone.localtime(task.window_start).strftime("%m-%d %H:%M")
                url = reverse("inspections:ledger") + "?status=missed"
                if task.plan is not None:
                    title = messages.title_fields(
                        "inspection.task_missed", plan=task.plan.name, place=task.location, time=when
                    )
                    url += f"&plan={task.plan.uuid}"
                else:
                    title = messages.title_fields("inspection.spot_missed", place=task.location, time=when)
                events.publish(
                    "inspection.task_missed",
                    organization_id=task.organization_id,
                    object_uuid=str(task.uuid),
                    task_uuid=str(task.uuid),
                    **title,
                    url=url,
                    severity=Severity.WARNING,
                    recipient_ids=cache[key],
                    roles=["safety_officer"] if task.plan is not None else [],
                )
            # Locked above, so all of them are open: one update, one audit row each, the counts last.
            TASK_FLOW.move_many(tasks, "miss", actor=None, at=now)
            total += len(tasks)
    return total


# --- Submitting a task ---------------------------------------------------------------------------


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
        check_texts(note)
        errors = check_answers(items, by_item)
        if errors:
            raise AnswerErrors(errors)
        record = save_record(
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


# --- My tasks ------------------------------------------------------------------------------------


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


# --- A bureau inspector's spot checks -------------------------------------------------------------


def my_spot_checks(user: User, *, at: dt.datetime | None = None, limit: int = 50) -> list[Task]:
    """Open spot-check tasks assigned to ``user`` (a bureau inspector) whose window has not ended,
    the soonest due first, with their institution (one query)."""
    at = at or timezone.now()
    return list(
        Task.objects.for_user(user, "inspection.bureau")
        .filter(
            SPOT_TASKS,
            status=TaskStatus.OPEN,
            assignee_kind=AssigneeKind.PERSON,
            assignee_user=user,
            window_end__gt=at,
        )
        .select_related("organization")
        .order_by("window_end", "id")[:limit]
    )
