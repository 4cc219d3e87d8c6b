"""Done and missed tasks per institution, day and post (:class:`~.models.TaskDay`), moved in the
same transaction as each task that is done or missed (see :mod:`shuangfang.core.counters`).

One task's share: ``done`` or ``missed`` (by its status; an open task counts nothing) on the day its
window starts, in the project's time zone (Asia/Shanghai), under its post (0: no post).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from shuangfang.core.counters import Counter, Counts

from .choices import SPOT_NOT_DONE, TaskStatus, is_spot_check

COUNTED = {TaskStatus.DONE: "done", TaskStatus.MISSED: "missed"}


def day_of(value: dt.datetime) -> dt.date:
    return timezone.localtime(value, timezone.get_default_timezone()).date()


def share(task) -> Counts:
    field = COUNTED.get(task.status)
    if field is None or (field == "missed" and is_spot_check(task)):
        return {}  # open, or a bureau's spot check it missed (the bureau's task, not the institution's)
    return {
        (task.organization.institution_id, day_of(task.window_start), task.assignee_post_id or 0): {field: 1}
    }


def counter(task_model=None, day_model=None) -> Counter:
    """The counter over the given models (the migration passes its historical ones)."""
    if task_model is None or day_model is None:
        from .models import Task, TaskDay

        task_model, day_model = Task, TaskDay

    def expected() -> Counts:
        inst = "organization__institution_id"
        rows = (
            task_model.objects.filter(status__in=list(COUNTED))
            .exclude(SPOT_NOT_DONE)
            .annotate(
                d=TruncDate("window_start", tzinfo=timezone.get_default_timezone()),
                p=Coalesce("assignee_post_id", 0),
            )
            .values(inst, "d", "p")
            .annotate(
                done=Count("id", filter=Q(status=TaskStatus.DONE)),
                missed=Count("id", filter=Q(status=TaskStatus.MISSED)),
            )
            .order_by()
        )
        return {(r[inst], r["d"], r["p"]): {"done": r["done"], "missed": r["missed"]} for r in rows}

    return Counter(
        model=day_model,
        keys=("organization_id", "day", "post_key"),
        fields=("done", "missed"),
        share=share,
        expected=expected,
    )


TASKS = counter()
