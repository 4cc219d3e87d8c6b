"""Every figure of the dashboards, read-only, in one place.

Each function runs a fixed number of aggregate queries (``GROUP BY`` institution or month, with
conditional ``Count``), whatever the number of institutions or rows: never a query per institution
or per row. Tenant scoping happens in the views (the institution or bureau is fetched with
``get_for_user``); the functions here receive the institutions already in scope.

Records are attributed to their institution through ``organization__institution``, so a record
filed on a department still counts for the institution above it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from shuangfang.hazards.choices import OPEN_STATUSES, Grade
from shuangfang.hazards.choices import Status as HazardStatus
from shuangfang.hazards.models import Hazard
from shuangfang.inspections.choices import TaskStatus
from shuangfang.inspections.models import Task
from shuangfang.monitoring.choices import AlarmStatus
from shuangfang.monitoring.models import Alarm, Device
from shuangfang.orgs.models import Organization, OrgKind
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


def institutions_under(org: Organization) -> list[Organization]:
    """The active institutions in ``org``'s subtree (itself if it is one). One query."""
    return list(
        Organization.objects.subtree(org)
        .filter(kind=OrgKind.INSTITUTION, is_active=True)
        .select_related("parent")
        .order_by("path")
    )


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def _grouped(qs, **counts) -> dict[int, dict]:
    rows = qs.values("organization__institution_id").annotate(**counts).order_by()
    return {r.pop("organization__institution_id"): r for r in rows}


def figures(institution_ids: Iterable[int], today: dt.date | None = None) -> dict[int, dict]:
    """Counters per institution id. Five queries (risk points, hazards, tasks, alarms, devices)."""
    ids = list(institution_ids)
    today = today or timezone.localdate()
    now = timezone.now()
    scoped = {"organization__institution_id__in": ids}
    out: dict[int, dict] = {i: dict.fromkeys(FIELDS, 0) for i in ids}
    if not ids:
        return out

    parts = [
        _grouped(
            RiskPoint.objects.filter(is_active=True, **scoped),
            points=Count("id"),
            l1=Count("id", filter=Q(inherent_level=1)),
            l2=Count("id", filter=Q(inherent_level=2)),
            l3=Count("id", filter=Q(inherent_level=3)),
            l4=Count("id", filter=Q(inherent_level=4)),
            unassessed=Count("id", filter=Q(inherent_level__isnull=True)),
            reviews_overdue=Count("id", filter=Q(next_review_on__lt=today)),
        ),
        _grouped(
            Hazard.objects.filter(**scoped),
            open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
            overdue=Count("id", filter=Q(status__in=OPEN_STATUSES, deadline__lt=today)),
            closed=Count("id", filter=Q(status=HazardStatus.CLOSED)),
            closed_on_time=Count("id", filter=Q(status=HazardStatus.CLOSED, closed_on_time=True)),
            open_major=Count("id", filter=Q(status__in=OPEN_STATUSES, grade=Grade.MAJOR)),
            supervised=Count("id", filter=Q(status__in=OPEN_STATUSES, supervised=True)),
            due_soon=Count(
                "id",
                filter=Q(
                    status__in=OPEN_STATUSES,
                    deadline__gte=today,
                    deadline__lte=today + dt.timedelta(days=UPCOMING_DAYS),
                ),
            ),
        ),
        _grouped(
            Task.objects.filter(
                Q(
                    window_start__gte=_start_of(today - dt.timedelta(days=INSPECTION_DAYS)),
                    window_start__lte=now,
                )
                | Q(
                    window_start__gte=_start_of(today),
                    window_start__lt=_start_of(today + dt.timedelta(days=1)),
                ),
                **scoped,
            ),
            tasks_done=Count(
                "id",
                filter=Q(
                    status=TaskStatus.DONE,
                    window_start__gte=_start_of(today - dt.timedelta(days=INSPECTION_DAYS)),
                ),
            ),
            tasks_missed=Count(
                "id",
                filter=Q(
                    status=TaskStatus.MISSED,
                    window_start__gte=_start_of(today - dt.timedelta(days=INSPECTION_DAYS)),
                ),
            ),
            today_total=Count("id", filter=Q(window_start__gte=_start_of(today))),
            today_done=Count("id", filter=Q(window_start__gte=_start_of(today), status=TaskStatus.DONE)),
        ),
        _grouped(
            Alarm.objects.filter(status__in=[AlarmStatus.OPEN, AlarmStatus.ACKNOWLEDGED], **scoped),
            alarms_open=Count("id", filter=Q(status=AlarmStatus.OPEN)),
            alarms_acknowledged=Count("id", filter=Q(status=AlarmStatus.ACKNOWLEDGED)),
            alarms_critical=Count("id", filter=Q(severity="critical")),
        ),
        _grouped(
            Device.objects.filter(online=False, last_seen_at__isnull=False, **scoped),
            devices_offline=Count("id"),
        ),
    ]
    for part in parts:
        for inst_id, row in part.items():
            if inst_id in out:
                out[inst_id].update(row)
    for row in out.values():
        _derive(row)
    return out


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _derive(row: dict) -> None:
    row["alarms_active"] = row["alarms_open"] + row["alarms_acknowledged"]
    row["on_time_rate"] = _rate(row["closed_on_time"], row["closed"])
    row["tasks_due"] = row["tasks_done"] + row["tasks_missed"]
    row["completion_rate"] = _rate(row["tasks_done"], row["tasks_due"])
    row["missed_rate"] = _rate(row["tasks_missed"], row["tasks_due"])


def total(rows: Iterable[dict]) -> dict:
    """The sum of several institutions' counters, rates recomputed from the sums."""
    out = dict.fromkeys(FIELDS, 0)
    for row in rows:
        for k in FIELDS:
            out[k] += row[k]
    _derive(out)
    return out


def months(today: dt.date, n: int = TREND_MONTHS) -> list[dt.date]:
    first = today.replace(day=1)
    out = []
    for _i in range(n):
        out.append(first)
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return out[::-1]


def _month(value, tz) -> dt.date:
    if isinstance(value, dt.datetime):
        return (timezone.localtime(value, tz) if timezone.is_aware(value) else value).date().replace(day=1)
    return value


def hazard_trend(institution_ids: Iterable[int], today: dt.date | None = None) -> list[dict]:
    """Hazards reported and closed per month over the last twelve months, and those still open
    among the reported ones. Two queries."""
    ids = list(institution_ids)
    today = today or timezone.localdate()
    span = months(today)
    start = _start_of(span[0])
    tz = timezone.get_current_timezone()
    base = Hazard.objects.filter(organization__institution_id__in=ids).exclude(
        status__in=[HazardStatus.REJECTED, HazardStatus.DUPLICATE]
    )
    reported: dict[dt.date, Any] = {
        _month(r["m"], tz): r
        for r in base.filter(reported_at__gte=start)
        .annotate(m=TruncMonth("reported_at", tzinfo=tz))
        .values("m")
        .annotate(n=Count("id"), still_open=Count("id", filter=Q(status__in=OPEN_STATUSES)))
        .order_by()
    }
    closed: dict[dt.date, int] = {
        _month(r["m"], tz): r["n"]
        for r in base.filter(closed_at__gte=start)
        .annotate(m=TruncMonth("closed_at", tzinfo=tz))
        .values("m")
        .annotate(n=Count("id"))
        .order_by()
    }
    return [
        {
            "month": m.strftime("%Y-%m"),
            "reported": reported.get(m, {}).get("n", 0),
            "open": reported.get(m, {}).get("still_open", 0),
            "closed": closed.get(m, 0),
        }
        for m in span
    ]


def inspections_by_department(institution_id: int, today: dt.date | None = None) -> list[dict]:
    """Done and missed tasks of the last 30 days per department (the department of the post the
    task is assigned to; tasks for a person or a role have none). One query."""
    today = today or timezone.localdate()
    rows = (
        Task.objects.filter(
            organization__institution_id=institution_id,
            window_start__gte=_start_of(today - dt.timedelta(days=INSPECTION_DAYS)),
            status__in=[TaskStatus.DONE, TaskStatus.MISSED],
        )
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
                "missed_rate": _rate(r["missed"], due),
            }
        )
    return out


def upcoming_deadlines(institution_ids: Iterable[int], today: dt.date | None = None, limit: int = 10):
    """Open hazards whose deadline falls in the next seven days, soonest first. One query."""
    today = today or timezone.localdate()
    return list(
        Hazard.objects.filter(
            organization__institution_id__in=list(institution_ids),
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
            organization__institution_id__in=list(institution_ids), is_active=True, next_review_on__lt=today
        )
        .select_related("organization")
        .order_by("next_review_on", "id")[:limit]
    )


def open_major_hazards(institution_ids: Iterable[int], limit: int = 20):
    """Open major hazards, oldest deadline first. One query."""
    return list(
        Hazard.objects.filter(
            organization__institution_id__in=list(institution_ids),
            status__in=OPEN_STATUSES,
            grade=Grade.MAJOR,
        )
        .select_related("organization")
        .order_by("deadline", "id")[:limit]
    )


def live_alarms(institution_ids: Iterable[int], limit: int = 20):
    """Open and acknowledged alarms, newest first. One query."""
    return list(
        Alarm.objects.filter(
            organization__institution_id__in=list(institution_ids),
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
