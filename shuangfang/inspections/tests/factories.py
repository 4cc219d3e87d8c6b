"""Tasks for other apps' tests: made directly, as the inspections app would have left them."""

from __future__ import annotations

import datetime as dt
import uuid

from shuangfang.inspections import counts
from shuangfang.inspections.models import Task


def closed_task(inst, start: dt.datetime, status: str, post=None) -> Task:
    """A two-hour task of ``inst`` starting at ``start`` in ``status`` (done, missed or open),
    assigned to ``post`` or else to a role, with its share in the daily counts (``TaskDay``)."""
    made = Task.objects.create(
        organization=inst,
        place_key=str(uuid.uuid4()),
        window_start=start,
        window_end=start + dt.timedelta(hours=2),
        status=status,
        assignee_kind="post" if post else "role",
        assignee_post=post,
    )
    counts.TASKS.move({}, counts.share(made))
    return made
