"""Figures bounded by a report period, read-only.

The dashboards (:mod:`shuangfang.dashboards.queries`) count what is true *now*; a report counts what
happened *in the period* (hazards reported and closed, tasks done and missed, alarms raised, risk
reviews done) and what was true *at its end* (hazards still open, overdue, major, under
supervision). Each function runs a fixed number of grouped queries whatever the number of
institutions or rows. Records count for the institution above their organisation
(``organization__institution``), as on the dashboards.

"At the period end" is read from the records' dates: a hazard is open at the end when it was
reported before the end and not closed before it; overdue when, in addition, its deadline fell
before the end; under supervision when a supervision order (挂牌督办) was recorded before the end.
Rejected and duplicate reports never count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from shuangfang.core.models import AuditEntry
from shuangfang.core.periods import Period
from shuangfang.core.vocabulary import HazardGrade, Severity
from shuangfang.dashboards.queries import add_rates as derive
from shuangfang.dashboards.queries import rate as _rate
from shuangfang.dashboards.queries import summed
from shuangfang.hazards.choices import Status as HazardStatus
from shuangfang.hazards.models import Hazard, HazardEvent
from shuangfang.inspections.choices import SPOT_NOT_DONE, TaskStatus
from shuangfang.inspections.models import Task
from shuangfang.monitoring.models import Alarm

# The counters of one institution for one period, all zero when it has no records.
FIELDS = (
    "reported",
    "major",
    "closed",
    "closed_on_time",
    "open",
    "overdue",
    "open_major",
    "supervised",
    "supervision_orders",
    "tasks_done",
    "tasks_missed",
    "alarms",
    "alarms_critical",
    "reviews_done",
)

# Audit action written by risks.services.record_review: one per periodic review of a risk point.
REVIEW_ACTION = "risk.point.review"
SUPERVISE_ACTION = "supervise"
NOT_HAZARDS = (HazardStatus.REJECTED, HazardStatus.DUPLICATE)
EVENT_LIMIT = 100


def bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    """The period as aware datetimes in the current time zone (Asia/Shanghai): [start, end)."""
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(period.start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(period.end, dt.time.min, tzinfo=tz),
    )


def _grouped(qs, key: str = "organization__institution_id", **counts) -> dict[int, dict]:
    rows = qs.values(key).annotate(**counts).order_by()
    return {r.pop(key): r for r in rows}


def hazards_in(ids: Iterable[int]):
    """The hazards of these institutions that are hazards (not rejected, not duplicates)."""
    return Hazard.objects.filter(organization__institution_id__in=list(ids)).exclude(status__in=NOT_HAZARDS)


def _open_at(end: dt.datetime) -> Q:
    return Q(reported_at__lt=end) & (Q(closed_at__isnull=True) | Q(closed_at__gte=end))


def _supervised_before(end: dt.datetime) -> Exists:
    return Exists(
        HazardEvent.objects.filter(hazard=OuterRef("pk"), action=SUPERVISE_ACTION, created_at__lt=end)
    )


def figures(institution_ids: Iterable[int], period: Period) -> dict[int, dict]:
    """Counters per institution id for ``period``. Five queries (hazards, supervision orders,
    tasks, alarms, risk reviews)."""
    ids = list(institution_ids)
    out: dict[int, dict] = {i: dict.fromkeys(FIELDS, 0) for i in ids}
    if not ids:
        return out
    start, end = bounds(period)
    open_end = _open_at(end)
    scoped = {"organization__institution_id__in": ids}
    parts = [
        _grouped(
            hazards_in(ids).filter(reported_at__lt=end),
            reported=Count("id", filter=Q(reported_at__gte=start)),
            major=Count("id", filter=Q(reported_at__gte=start, grade=HazardGrade.MAJOR)),
            closed=Count("id", filter=Q(closed_at__gte=start, closed_at__lt=end)),
            closed_on_time=Count(
                "id", filter=Q(closed_at__gte=start, closed_at__lt=end, closed_on_time=True)
            ),
            open=Count("id", filter=open_end),
            overdue=Count("id", filter=open_end & Q(deadline__lt=period.end)),
            open_major=Count("id", filter=open_end & Q(grade=HazardGrade.MAJOR)),
            supervised=Count("id", filter=open_end & Q(_supervised_before(end))),
        ),
        _grouped(
            HazardEvent.objects.filter(
                hazard__organization__institution_id__in=ids,
                action=SUPERVISE_ACTION,
                created_at__gte=start,
                created_at__lt=end,
            ),
            key="hazard__organization__institution_id",
            supervision_orders=Count("id"),
        ),
        _grouped(
            Task.objects.filter(
                window_start__gte=start,
                window_start__lt=end,
                status__in=[TaskStatus.DONE, TaskStatus.MISSED],
                **scoped,
            ).exclude(SPOT_NOT_DONE),
            tasks_done=Count("id", filter=Q(status=TaskStatus.DONE)),
            tasks_missed=Count("id", filter=Q(status=TaskStatus.MISSED)),
        ),
        _grouped(
            Alarm.objects.filter(opened_at__gte=start, opened_at__lt=end, **scoped),
            alarms=Count("id"),
            alarms_critical=Count("id", filter=Q(severity=Severity.CRITICAL)),
        ),
        _grouped(
            AuditEntry.objects.filter(
                action=REVIEW_ACTION, created_at__gte=start, created_at__lt=end, **scoped
            ),
            reviews_done=Count("id"),
        ),
    ]
    for part in parts:
        for inst_id, row in part.items():
            if inst_id in out:
                out[inst_id].update(row)
    for row in out.values():
        derive(row)
    return out


def total(rows: Iterable[dict]) -> dict:
    """The sum of several institutions' counters, rates recomputed from the sums."""
    out = summed(rows, FIELDS)
    derive(out)
    return out


def inspections_by_department(institution_ids: Iterable[int], period: Period) -> list[dict]:
    """Tasks done and missed in the period per department (of the post the task is assigned to;
    tasks for a person or a role have none), most missed first. One query."""
    start, end = bounds(period)
    rows = (
        Task.objects.filter(
            organization__institution_id__in=list(institution_ids),
            window_start__gte=start,
            window_start__lt=end,
            status__in=[TaskStatus.DONE, TaskStatus.MISSED],
        )
        .exclude(SPOT_NOT_DONE)
        .values("assignee_post__department__name")
        .annotate(
            done=Count("id", filter=Q(status=TaskStatus.DONE)),
            missed=Count("id", filter=Q(status=TaskStatus.MISSED)),
        )
        .order_by("-missed", "assignee_post__department__name")
    )
    out = []
    for r in rows:
        due = r["done"] + r["missed"]
        out.append(
            {
                "department": r["assignee_post__department__name"] or "",
                "done": r["done"],
                "missed": r["missed"],
                "completion_rate": _rate(r["done"], due),
            }
        )
    return out


def alarms_by_type(institution_ids: Iterable[int], period: Period) -> list[dict]:
    """Alarms raised in the period per alarm type and severity, most first. One query."""
    start, end = bounds(period)
    return [
        dict(row)
        for row in Alarm.objects.filter(
            organization__institution_id__in=list(institution_ids), opened_at__gte=start, opened_at__lt=end
        )
        .values("alarm_type", "severity")
        .annotate(n=Count("id"))
        .order_by("-n", "alarm_type", "severity")
    ]


def _capped(qs) -> tuple[list, int]:
    rows = list(qs[: EVENT_LIMIT + 1])
    return rows[:EVENT_LIMIT], max(0, len(rows) - EVENT_LIMIT)


def major_reported(institution_ids: Iterable[int], period: Period):
    """Major hazards reported in the period, in order. One query; at most EVENT_LIMIT (and how
    many more)."""
    start, end = bounds(period)
    return _capped(
        hazards_in(institution_ids)
        .filter(grade=HazardGrade.MAJOR, reported_at__gte=start, reported_at__lt=end)
        .select_related("organization")
        .order_by("reported_at", "id")
    )


def major_closed(institution_ids: Iterable[int], period: Period):
    """Major hazards closed in the period. One query."""
    start, end = bounds(period)
    return _capped(
        hazards_in(institution_ids)
        .filter(grade=HazardGrade.MAJOR, closed_at__gte=start, closed_at__lt=end)
        .select_related("organization")
        .order_by("closed_at", "id")
    )


def supervision_orders(institution_ids: Iterable[int], period: Period):
    """Supervision orders (挂牌督办) given in the period. One query."""
    start, end = bounds(period)
    return _capped(
        HazardEvent.objects.filter(
            hazard__organization__institution_id__in=list(institution_ids),
            action=SUPERVISE_ACTION,
            created_at__gte=start,
            created_at__lt=end,
        )
        .select_related("hazard", "hazard__organization")
        .order_by("created_at", "id")
    )


def critical_alarms(institution_ids: Iterable[int], period: Period):
    """Critical alarms raised in the period. One query."""
    start, end = bounds(period)
    return _capped(
        Alarm.objects.filter(
            organization__institution_id__in=list(institution_ids),
            severity=Severity.CRITICAL,
            opened_at__gte=start,
            opened_at__lt=end,
        )
        .select_related("organization", "device")
        .order_by("opened_at", "id")
    )


def open_major_at_end(institution_ids: Iterable[int], period: Period):
    """Major hazards still open at the period end, oldest deadline first. One query."""
    _start, end = bounds(period)
    return _capped(
        hazards_in(institution_ids)
        .filter(_open_at(end), grade=HazardGrade.MAJOR)
        .annotate(was_supervised=_supervised_before(end))
        .select_related("organization")
        .order_by("deadline", "reported_at", "id")
    )
