"""Every figure of the dashboards, read-only, in one place.

Each function runs a fixed number of aggregate queries (``GROUP BY`` institution or month, with
conditional ``Count``), whatever the number of institutions or rows: never a query per institution
or per row. Tenant scoping happens in the views (the institution or bureau is fetched with
``get_for_user``); the functions here receive the institutions already in scope.

Records are attributed to their institution through ``organization__institution``, so a record
filed on a department still counts for the institution above it.

Figures over many rows read counts kept by the owning apps in the same transaction as each change
(``shuangfang.core.counters``): hazards per institution and month (``hazards.counts``: closed,
closed on time, the trend) and done / missed tasks per institution, day and post
(``inspections.counts``). Figures that depend on today (open, overdue, due soon, today's tasks) are
counted from the few rows concerned, through partial or range indexes. ``manage.py
dashboards_rebuild_aggregates`` recomputes the counts from the records (``--check`` compares).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from shuangfang.core.pgarrays import among
from shuangfang.core.vocabulary import HazardGrade, Severity
from shuangfang.hazards.choices import OPEN_STATUSES
from shuangfang.hazards.models import Hazard, HazardMonth
from shuangfang.inspections.choices import SPOT_NOT_DONE, TaskStatus
from shuangfang.inspections.models import Task, TaskDay
from shuangfang.monitoring.choices import AlarmStatus
from shuangfang.monitoring.models import Alarm, Device
from shuangfang.orgs.models import Organization, Post
from shuangfang.risks.models import RiskPoint

INSPECTION_DAYS = 30
UPCOMING_DAYS = 7
TREND_MONTHS = 12

# The counters of one institution, all zero when it has no records.
FIELDS = (
    "points",
    "l1",
    "l2",
    "l3",
    "l4",
    "unassessed",
    "reviews_overdue",
    "open",
    "overdue",
    "closed",
    "closed_on_time",
    "open_major",
    "supervised",
    "due_soon",
    "tasks_done",
    "tasks_missed",
    "today_total",
    "today_done",
    "alarms_open",
    "alarms_acknowledged",
    "alarms_critical",
    "devices_offline",
)

# Ranking order of the bureau table: worst first.
WORST_FIRST = ("overdue", "tasks_missed", "open_major", "supervised")


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def _rows(filter: Q | None = None) -> Count:
    """``COUNT(organization_id)``: every row has one, and the open-hazard and task-window indexes
    hold it, so PostgreSQL counts from the index alone (``COUNT(id)`` would read every row)."""
    return Count("organization", filter=filter)


def _grouped(qs, key: str = "organization__institution_id", **counts) -> dict[int, dict]:
    rows = qs.values(key).annotate(**counts).order_by()
    return {r.pop(key): r for r in rows}


def figures(institution_ids: Iterable[int], today: dt.date | None = None) -> dict[int, dict]:
    """Counters per institution id. Seven queries: risk points; open hazards (a partial index);
    hazards closed (the monthly counts); tasks done and missed (the daily counts); today's tasks;
    alarms; devices."""
    ids = list(institution_ids)
    today = today or timezone.localdate()
    scoped = among("organization__institution_id", ids)
    own = among("organization_id", ids)
    out: dict[int, dict] = {i: dict.fromkeys(FIELDS, 0) for i in ids}
    if not ids:
        return out

    parts = [
        _grouped(
            RiskPoint.objects.filter(scoped, is_active=True),
            points=Count("id"),
            l1=Count("id", filter=Q(inherent_level=1)),
            l2=Count("id", filter=Q(inherent_level=2)),
            l3=Count("id", filter=Q(inherent_level=3)),
            l4=Count("id", filter=Q(inherent_level=4)),
            unassessed=Count("id", filter=Q(inherent_level__isnull=True)),
            reviews_overdue=Count("id", filter=Q(next_review_on__lt=today)),
        ),
        # Time-dependent figures (overdue, due soon) from the open hazards themselves: a few per
        # cent of all, read through the partial index ``hazard_open``.
        _grouped(
            Hazard.objects.filter(scoped, status__in=OPEN_STATUSES),
            open=_rows(),
            overdue=_rows(filter=Q(deadline__lt=today)),
            open_major=_rows(filter=Q(grade=HazardGrade.MAJOR)),
            supervised=_rows(filter=Q(supervised=True)),
            due_soon=_rows(
                filter=Q(deadline__gte=today, deadline__lte=today + dt.timedelta(days=UPCOMING_DAYS))
            ),
        ),
        # Closed over all history: the monthly counts (hazards.counts), not every closed hazard.
        _grouped(
            HazardMonth.objects.filter(own),
            closed=Sum("closed"),
            closed_on_time=Sum("closed_on_time"),
            key="organization_id",
        ),
        # Done and missed in the last 30 days: the daily counts (inspections.counts).
        _grouped(
            TaskDay.objects.filter(own, day__gte=today - dt.timedelta(days=INSPECTION_DAYS), day__lte=today),
            tasks_done=Sum("done"),
            tasks_missed=Sum("missed"),
            key="organization_id",
        ),
        # Today's tasks, open ones included: one day of rows (index ``task_window_start``).
        _grouped(
            Task.objects.filter(
                scoped,
                window_start__gte=_start_of(today),
                window_start__lt=_start_of(today + dt.timedelta(days=1)),
            ).exclude(SPOT_NOT_DONE),
            today_total=_rows(),
            today_done=_rows(filter=Q(status=TaskStatus.DONE)),
        ),
        _grouped(
            Alarm.objects.filter(scoped, status__in=[AlarmStatus.OPEN, AlarmStatus.ACKNOWLEDGED]),
            alarms_open=Count("id", filter=Q(status=AlarmStatus.OPEN)),
            alarms_acknowledged=Count("id", filter=Q(status=AlarmStatus.ACKNOWLEDGED)),
            alarms_critical=Count("id", filter=Q(severity=Severity.CRITICAL)),
        ),
        _grouped(
            Device.objects.filter(scoped, online=False, last_seen_at__isnull=False),
            devices_offline=Count("id"),
        ),
    ]
    for part in parts:
        for inst_id, row in part.items():
            if inst_id in out:
                out[inst_id].update({k: v or 0 for k, v in row.items()})
    for row in out.values():
        _derive(row)
    return out


def rate(part: int, whole: int) -> float | None:
    """``part`` in per cent of ``whole``, one decimal; None when there is nothing to measure."""
    return round(100 * part / whole, 1) if whole else None


def add_rates(row: dict) -> None:
    """On-time rectification, tasks due, completion and missed-task rates from a row's counters
    (closed, closed_on_time, tasks_done, tasks_missed); the reports use the same definitions."""
    row["on_time_rate"] = rate(row["closed_on_time"], row["closed"])
    row["tasks_due"] = row["tasks_done"] + row["tasks_missed"]
    row["completion_rate"] = rate(row["tasks_done"], row["tasks_due"])
    row["missed_rate"] = rate(row["tasks_missed"], row["tasks_due"])


def _derive(row: dict) -> None:
    row["alarms_active"] = row["alarms_open"] + row["alarms_acknowledged"]
    add_rates(row)


def summed(rows: Iterable[dict], fields: Iterable[str]) -> dict:
    """The sum of ``fields`` over several institutions' rows."""
    keys = tuple(fields)
    out = dict.fromkeys(keys, 0)
    for row in rows:
        for k in keys:
            out[k] += row[k]
    return out


def total(rows: Iterable[dict]) -> dict:
    """The sum of several institutions' counters, rates recomputed from the sums."""
    out = summed(rows, FIELDS)
    _derive(out)
    return out


def months(today: dt.date, n: int = TREND_MONTHS) -> list[dt.date]:
    first = today.replace(day=1)
    out = []
    for _i in range(n):
        out.append(first)
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return out[::-1]


def hazard_trend(institution_ids: Iterable[int], today: dt.date | None = None) -> list[dict]:
    """Hazards reported and closed per month over the last twelve months, and those still open
    among the reported ones (rejected and duplicate reports left out). One query, over the monthly
    counts (hazards.counts)."""
    ids = list(institution_ids)
    today = today or timezone.localdate()
    span = months(today)
    rows: dict[dt.date, dict] = {
        r["month"]: dict(r)
        for r in HazardMonth.objects.filter(
            among("organization_id", ids), month__gte=span[0], month__lte=span[-1]
        )
        .values("month")
        .annotate(reported=Sum("reported"), still_open=Sum("still_open"), closed=Sum("closed"))
        .order_by()
    }
    zero = {"reported": 0, "still_open": 0, "closed": 0}
    return [
        {
            "month": m.strftime("%Y-%m"),
            "reported": rows.get(m, zero)["reported"],
            "open": rows.get(m, zero)["still_open"],
            "closed": rows.get(m, zero)["closed"],
        }
        for m in span
    ]


def inspections_by_department(institution_id: int, today: dt.date | None = None) -> list[dict]:
    """Done and missed tasks of the last 30 days per department (the department of the post the
    task is assigned to; tasks for a person or a role have none). One query, over the daily counts
    (inspections.counts)."""
    today = today or timezone.localdate()
    post = Post.objects.filter(pk=OuterRef("post_key"))
    rows = (
        TaskDay.objects.filter(
            organization_id=institution_id,
            day__gte=today - dt.timedelta(days=INSPECTION_DAYS),
            day__lte=today,
        )
        .annotate(
            department=Subquery(post.values("department__name")[:1]),
            department_id=Subquery(post.values("department_id")[:1]),
        )
        .values("department", "department_id")
        .annotate(done=Sum("done"), missed=Sum("missed"))
        .order_by("-missed", "department")
    )
    out = []
    for r in rows:
        due = r["done"] + r["missed"]
        if not due:
            continue
        out.append(
            {
                "department": r["department"] or "",
                "department_id": r["department_id"],
                "done": r["done"],
                "missed": r["missed"],
                "completion_rate": rate(r["done"], due),
                "missed_rate": rate(r["missed"], due),
            }
        )
    return out


def upcoming_deadlines(institution_ids: Iterable[int], today: dt.date | None = None, limit: int = 10):
    """Open hazards whose deadline falls in the next seven days, soonest first. One query."""
    today = today or timezone.localdate()
    return list(
        Hazard.objects.filter(
            among("organization__institution_id", institution_ids),
            status__in=OPEN_STATUSES,
            deadline__gte=today,
            deadline__lte=today + dt.timedelta(days=UPCOMING_DAYS),
        )
        .select_related("organization", "responsible")
        .order_by("deadline", "id")[:limit]
    )


def overdue_reviews(institution_ids: Iterable[int], today: dt.date | None = None, limit: int = 10):
    """Active risk points whose periodic review is overdue, longest overdue first. One query."""
    today = today or timezone.localdate()
    return list(
        RiskPoint.objects.filter(
            among("organization__institution_id", institution_ids), is_active=True, next_review_on__lt=today
        )
        .select_related("organization")
        .order_by("next_review_on", "id")[:limit]
    )


def open_major_hazards(institution_ids: Iterable[int], limit: int = 20):
    """Open major hazards, oldest deadline first. One query."""
    return list(
        Hazard.objects.filter(
            among("organization__institution_id", institution_ids),
            status__in=OPEN_STATUSES,
            grade=HazardGrade.MAJOR,
        )
        .select_related("organization")
        .order_by("deadline", "id")[:limit]
    )


def live_alarms(institution_ids: Iterable[int], limit: int = 20):
    """Open and acknowledged alarms, newest first. One query."""
    return list(
        Alarm.objects.filter(
            among("organization__institution_id", institution_ids),
            status__in=[AlarmStatus.OPEN, AlarmStatus.ACKNOWLEDGED],
        )
        .select_related("organization", "device")
        .order_by("-opened_at", "-id")[:limit]
    )


def ranking(institutions: list[Organization], figs: dict[int, dict], sort: str = "") -> list[dict]:
    """Rows of the bureau table, worst first (or by ``sort``, a counter name, descending)."""
    rows = [{"inst": inst, **figs[inst.pk]} for inst in institutions]
    keys = (sort,) if sort in FIELDS else WORST_FIRST
    rows.sort(key=lambda r: tuple(-r[k] for k in keys) + (r["inst"].path,))
    return rows
