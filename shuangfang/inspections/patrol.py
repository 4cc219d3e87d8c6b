"""Patrol routes (巡更): a plan's checkpoints walked in a set order, round after round of the 24-hour
patrol. A round is the plan's tasks of one window (one task per checkpoint, generated as for any
plan); the order is :class:`RouteStop`. Each stop of a round is judged from when its record was
submitted:

- **done**: walked, in order;
- **out of order**: walked before a stop that comes earlier on the route;
- **skipped**: not walked, while a later stop was (passed over);
- **missed**: not walked, nothing later either, and the round's window is over;
- **pending**: not walked yet, nothing later walked either.

Skipped, missed and out-of-order stops are carried into the shift handover (``duty``'s registry,
section "patrol"), with the checkpoints missed on any other plan."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core import audit
from shuangfang.core.tenancy import require
from shuangfang.orgs.models import Organization, User

from .choices import TaskStatus
from .models import Checkpoint, Plan, RouteStop, Task

DONE, OUT_OF_ORDER, SKIPPED, MISSED, PENDING = "done", "out_of_order", "skipped", "missed", "pending"
FLAG_LABELS = {
    DONE: gettext_lazy("Done"),
    OUT_OF_ORDER: gettext_lazy("Out of order"),
    SKIPPED: gettext_lazy("Skipped"),
    MISSED: gettext_lazy("Missed"),
    PENDING: gettext_lazy("Not yet"),
}
FLAGGED = (OUT_OF_ORDER, SKIPPED, MISSED)
MIN_STOPS = 2


@dataclass
class Stop:
    position: int
    checkpoint: Checkpoint
    task: Task | None
    done_at: dt.datetime | None = None
    flag: str = PENDING

    @property
    def label(self) -> str:
        return str(FLAG_LABELS[self.flag])


@dataclass
class Round:
    plan: Plan
    start: dt.datetime
    end: dt.datetime
    stops: list[Stop] = field(default_factory=list)

    @property
    def flagged(self) -> list[Stop]:
        return [s for s in self.stops if s.flag in FLAGGED]

    @property
    def done(self) -> int:
        return sum(1 for s in self.stops if s.done_at is not None)


@transaction.atomic
def set_route(*, actor: User, plan: Plan, checkpoints: list[Checkpoint]) -> list[RouteStop]:
    """Make ``plan`` a patrol route walking ``checkpoints`` in this order (each once, all of the plan's
    own checkpoints); an empty list makes it an ordinary plan again."""
    require(actor, "inspection.manage", plan.organization)
    if checkpoints:
        own = set(plan.checkpoints.values_list("pk", flat=True))
        if any(cp.pk not in own for cp in checkpoints):
            raise ValidationError(_("A route stop must be one of the plan's checkpoints."))
        if len({cp.pk for cp in checkpoints}) != len(checkpoints):
            raise ValidationError(_("Each checkpoint comes once on the route."))
        if len(checkpoints) < MIN_STOPS:
            raise ValidationError(_("A route has at least %(n)s checkpoints.") % {"n": MIN_STOPS})
    before = [str(s.checkpoint) for s in plan.stops.select_related("checkpoint")]
    plan.stops.all().delete()
    stops = RouteStop.objects.bulk_create(
        [RouteStop(plan=plan, checkpoint=cp, position=i) for i, cp in enumerate(checkpoints, start=1)]
    )
    audit.record(
        actor=actor,
        action="plan.route",
        obj=plan,
        organization=plan.organization,
        before={"route": before},
        after={"route": [str(cp) for cp in checkpoints]},
    )
    return stops


def judge(stops: list[Stop], end: dt.datetime, now: dt.datetime) -> list[Stop]:
    """Set each stop's flag from the times the stops were walked (see the module's words)."""
    for i, stop in enumerate(stops):
        if stop.done_at is not None:
            walked_later = any(s.done_at is not None and s.done_at > stop.done_at for s in stops[:i])
            stop.flag = OUT_OF_ORDER if walked_later else DONE
        elif any(s.done_at is not None for s in stops[i + 1 :]):
            stop.flag = SKIPPED
        elif now >= end or (stop.task is not None and stop.task.status == TaskStatus.MISSED):
            stop.flag = MISSED
        else:
            stop.flag = PENDING
    return stops


def _done_at(task: Task | None) -> dt.datetime | None:
    if task is None or task.status != TaskStatus.DONE:
        return None
    record = getattr(task, "record", None)
    return record.submitted_at if record is not None else task.closed_at


def rounds(plan: Plan, start: dt.datetime, end: dt.datetime, now: dt.datetime | None = None) -> list[Round]:
    """The route's rounds whose window overlaps ``[start, end)``, oldest first (three queries)."""
    now = now or timezone.now()
    stops = list(plan.stops.select_related("checkpoint"))
    if not stops:
        return []
    tasks = (
        Task.objects.filter(plan=plan, window_start__lt=end, window_end__gt=start)
        .select_related("record")
        .order_by("window_start")
    )
    by_window: dict[tuple[dt.datetime, dt.datetime], dict[int | None, Task]] = {}
    for t in tasks:
        by_window.setdefault((t.window_start, t.window_end), {})[t.checkpoint_id] = t
    out = []
    for (w_start, w_end), found in by_window.items():
        walked = [
            Stop(s.position, s.checkpoint, found.get(s.checkpoint_id), _done_at(found.get(s.checkpoint_id)))
            for s in stops
        ]
        out.append(Round(plan, w_start, w_end, judge(walked, w_end, now)))
    return out


def current_round(plan: Plan, now: dt.datetime | None = None) -> Round | None:
    """The round under way (or the last one that ended)."""
    now = now or timezone.now()
    found = rounds(plan, now - dt.timedelta(days=2), now + dt.timedelta(microseconds=1), now)
    under_way = [r for r in found if r.start <= now < r.end]
    pick = under_way or found
    return pick[-1] if pick else None


def route_plans(organization: Organization):
    return Plan.objects.filter(organization=organization, stops__isnull=False).distinct().order_by("name")


def patrol_lines(institution: Organization, start: dt.datetime, end: dt.datetime) -> list[str]:
    """For the shift handover: the route stops skipped, missed or walked out of order during the
    shift, and the checkpoints of other plans whose task was missed."""
    lines: list[str] = []
    on_routes: set[int] = set()
    for plan in route_plans(institution):
        for r in rounds(plan, start, end, end):
            for stop in r.flagged:
                if stop.task is not None:
                    on_routes.add(stop.task.pk)
                lines.append(
                    _("%(route)s %(time)s, stop %(n)s %(place)s: %(flag)s")
                    % {
                        "route": plan.name,
                        "time": timezone.localtime(r.start).strftime("%H:%M"),
                        "n": stop.position,
                        "place": stop.checkpoint,
                        "flag": stop.label,
                    }
                )
    missed = (
        Task.objects.filter(
            organization=institution,
            checkpoint__isnull=False,
            status=TaskStatus.MISSED,
            window_end__gt=start,
            window_end__lte=end,
        )
        .exclude(pk__in=on_routes)
        .select_related("checkpoint", "plan")
        .order_by("window_start")
    )
    for t in missed:
        lines.append(
            _("%(plan)s %(time)s, %(place)s: %(flag)s")
            % {
                "plan": t.plan.name if t.plan else "",
                "time": timezone.localtime(t.window_start).strftime("%H:%M"),
                "place": t.checkpoint,
                "flag": FLAG_LABELS[MISSED],
            }
        )
    return lines
