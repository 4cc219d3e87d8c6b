"""Readiness indicators of an institution, ready for an assessment scheme: training completion,
fire drills done against the setting, responsibility letters signed. Each is (part, whole, percent)
so a score can be redone by hand. The assessment app has a fixed list of six indicators and no
registry yet (shuangfang/assessment/choices.py ``Indicator``), so they are shown on the bureau's
readiness page and not weighted in scores: docs/readiness.md."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from shuangfang.orgs.models import Organization

from . import defaults, training
from .choices import DrillKind, DrillStatus, LetterStatus, TrainingState
from .drills import setting
from .models import Drill, Letter


@dataclass(frozen=True)
class Figure:
    part: int
    whole: int

    @property
    def pct(self) -> float | None:
        """Percent with one decimal; None without a whole (no data)."""
        return round(100 * self.part / self.whole, 1) if self.whole else None


def training_completion(institution: Organization, on: dt.date) -> Figure:
    """Required (person, course) pairs done on ``on``, of all required pairs ("due soon" counts as
    done: it is still valid)."""
    lines = training.status_lines(institution, on=on)
    valid = sum(
        1 for x in lines if x.state == TrainingState.DONE or (x.state == TrainingState.DUE and x.done_on)
    )
    return Figure(valid, len(lines))


def fire_drills(institution: Organization, start: dt.date, end: dt.date) -> Figure:
    """Fire drills executed in [start, end) against the yearly setting prorated to the period's
    months (rounded up: a quarter of a 2-a-year rule asks for 1)."""
    per_year = setting(institution, defaults.FIRE_DRILLS_PER_YEAR)[0]
    months = (end.year - start.year) * 12 + end.month - start.month
    required = -(-per_year * months // 12)
    done = Drill.objects.filter(
        organization=institution,
        kind=DrillKind.FIRE,
        status__in=[DrillStatus.EXECUTED, DrillStatus.EVALUATED],
        started_at__date__gte=start,
        started_at__date__lt=end,
    ).count()
    return Figure(min(done, required), required)


def letters_signed(institution: Organization, year: int) -> Figure:
    """Live letters of ``year`` signed, of all live letters (revoked ones do not count)."""
    live = Letter.objects.filter(organization=institution, year=year).filter(
        Q(status=LetterStatus.ISSUED) | Q(status=LetterStatus.SIGNED)
    )
    return Figure(live.filter(status=LetterStatus.SIGNED).count(), live.count())


def all_for(institution: Organization, start: dt.date, end: dt.date) -> dict[str, Figure]:
    last = end - dt.timedelta(days=1)
    return {
        "training": training_completion(institution, last),
        "fire_drills": fire_drills(institution, start, end),
        "letters": letters_signed(institution, start.year),
    }
