"""This month's scores kept up to date by the worker, for the dashboards (``ScoreSnapshot``).

Computing the scores of a city's 200 institutions reads a month of hazards, tasks and risk points:
a few hundred milliseconds, too slow for a bureau dashboard opened all day and a big screen that
refreshes every ten seconds. The worker refreshes the stored scores every ``INTERVAL_MINUTES``
(``tasks.refresh_score_snapshots``), and right after a bureau saves or withdraws a scheme. The
dashboards read them in two queries (the schemes in force, the snapshots).

A snapshot is used only while it is fresh: computed in the last ``MAX_AGE``, today (Asia/Shanghai;
"today" is the last day the current month's score counts), for the current month, with the scheme
in force now. An institution without such a snapshot (a new institution, a worker stopped, the
first minutes of a day, a scheme just changed) is computed live in the same request, so a shown
score is never older than ``MAX_AGE``. The assessment pages themselves always compute live.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from shuangfang.core import periods
from shuangfang.orgs.models import Organization, OrgKind

from . import scores
from .models import ScoreSnapshot

INTERVAL_MINUTES = 5
MAX_AGE = dt.timedelta(minutes=30)
CHUNK = 500  # institutions per computation (a fixed number of queries each)


@dataclass(frozen=True)
class Shown:
    """What the dashboards show of one institution's score."""

    total: Decimal | None
    computed_at: dt.datetime


def _dec(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def active_institutions() -> list[Organization]:
    return list(Organization.objects.filter(kind=OrgKind.INSTITUTION, is_active=True).order_by("path"))


def rows_for(
    institutions: list[Organization], period: periods.Period, today: dt.date, now: dt.datetime
) -> list[ScoreSnapshot]:
    """Fresh snapshots (unsaved) of ``institutions``, computed live."""
    out = []
    for i in range(0, len(institutions), CHUNK):
        chunk = institutions[i : i + CHUNK]
        for pk, s in scores.institution_scores(chunk, period.start, period.end, today=today).items():
            out.append(
                ScoreSnapshot(
                    organization_id=pk,
                    start=period.start,
                    end=period.end,
                    total=_dec(s.total),
                    base=_dec(s.base),
                    scheme_id=s.scheme.id,
                    computed_at=now,
                )
            )
    return out


def refresh(institutions: Iterable[Organization] | None = None, *, now: dt.datetime | None = None) -> int:
    """Recompute and store this month's score of ``institutions`` (default: every active one;
    then snapshots of other periods and of institutions no longer active are deleted). Returns the
    number of snapshots written. Safe to run twice: the same rows are updated in place."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    period = periods.current(today)
    full = institutions is None
    insts = active_institutions() if institutions is None else list(institutions)
    rows = rows_for(insts, period, today, now)
    with transaction.atomic():
        if rows:
            ScoreSnapshot.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["organization", "start", "end"],
                update_fields=["total", "base", "scheme", "computed_at"],
            )
        if full:
            ScoreSnapshot.objects.exclude(start=period.start, end=period.end).delete()
            ScoreSnapshot.objects.exclude(organization_id__in=[i.pk for i in insts]).delete()
    return len(rows)


def refresh_under(bureau: Organization) -> int:
    """Refresh the institutions below ``bureau`` (after its scheme changed)."""
    insts = Organization.objects.filter(
        kind=OrgKind.INSTITUTION, is_active=True, path__startswith=bureau.path
    ).order_by("path")
    return refresh(list(insts))


def shown(
    institutions: list[Organization], *, now: dt.datetime | None = None
) -> tuple[dict[int, Shown], dt.datetime | None]:
    """This month's score of each institution, from its fresh snapshot or else computed live, and
    the time of the oldest one shown ("scores as of"). Two queries when every snapshot is fresh;
    the live computation's fixed number more when some are not."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    period = periods.current(today)
    if not institutions:
        return {}, None
    schemes = scores.schemes_for(institutions)
    since = max(now - MAX_AGE, scores._start_of(today))
    found = {
        s.organization_id: s
        for s in ScoreSnapshot.objects.filter(
            organization_id__in=[i.pk for i in institutions],
            start=period.start,
            end=period.end,
            computed_at__gte=since,
            computed_at__lte=now,
        )
    }
    out: dict[int, Shown] = {}
    missing = []
    for inst in institutions:
        snap = found.get(inst.pk)
        if snap is not None and snap.scheme_id == schemes[inst.pk].id:
            out[inst.pk] = Shown(snap.total, snap.computed_at)
        else:
            missing.append(inst)
    if missing:
        for row in rows_for(missing, period, today, now):
            out[row.organization_id] = Shown(row.total, now)
    return out, min(s.computed_at for s in out.values())
