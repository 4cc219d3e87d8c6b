"""Readiness indicators of institutions: training completion, fire drills done against the
setting, responsibility letters signed, the bureau's spot checks that found no problem. Each is
(part, whole, percent) so a score can be redone by hand, computed for any number of institutions
in a fixed number of queries, and registered in the assessment registry (a bureau weighs them in
its scheme; docs/readiness.md). Rewards and penalties (奖惩: accountability records with points)
adjust the assessment score as bonus and deduction, capped by the scheme."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.orgs.models import Organization

from . import defaults, training
from .choices import AccountabilityKind, DrillKind, DrillStatus, LetterStatus, TrainingState
from .drills import setting_values
from .models import Accountability, Drill, Letter


@dataclass(frozen=True)
class Figure:
    part: int
    whole: int

    @property
    def pct(self) -> float | None:
        """Percent with one decimal; None without a whole (no data)."""
        return round(100 * self.part / self.whole, 1) if self.whole else None


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def _valid(lines: list[training.Line]) -> int:
    """Lines whose training is valid ("due soon" counts as done: it is still valid)."""
    return sum(
        1 for x in lines if x.state == TrainingState.DONE or (x.state == TrainingState.DUE and x.done_on)
    )


def training_many(institutions: list[Organization], on: dt.date) -> dict[int, Figure]:
    """Required (person, course) pairs done on ``on``, of all required pairs. Four queries."""
    lines = training.status_lines_many(institutions, on=on)
    return {k: Figure(_valid(v), len(v)) for k, v in lines.items()}


def required_drills(per_year: int, start: dt.date, end: dt.date) -> int:
    """The yearly setting prorated to the period's months, rounded up (a quarter of a 2-a-year
    rule asks for 1)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return -(-per_year * months // 12)


def fire_drills_many(institutions: list[Organization], start: dt.date, end: dt.date) -> dict[int, Figure]:
    """Fire drills executed in [start, end) against the required number, capped at it. Two
    queries."""
    per_year = setting_values(institutions, defaults.FIRE_DRILLS_PER_YEAR)
    rows = (
        Drill.objects.filter(
            organization__in=institutions,
            kind=DrillKind.FIRE,
            status__in=[DrillStatus.EXECUTED, DrillStatus.EVALUATED],
            started_at__gte=_start_of(start),
            started_at__lt=_start_of(end),
        )
        .values("organization_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    done = {r["organization_id"]: r["n"] for r in rows}
    out = {}
    for inst in institutions:
        required = required_drills(per_year[inst.pk], start, end)
        out[inst.pk] = Figure(min(done.get(inst.pk, 0), required), required)
    return out


def letters_many(institutions: list[Organization], year: int) -> dict[int, Figure]:
    """Live letters of ``year`` signed, of all live letters (revoked ones do not count). One
    query."""
    rows = (
        Letter.objects.filter(
            organization__in=institutions,
            year=year,
            status__in=[LetterStatus.ISSUED, LetterStatus.SIGNED],
        )
        .values("organization_id")
        .annotate(n=Count("pk"), signed=Count("pk", filter=Q(status=LetterStatus.SIGNED)))
        .order_by()
    )
    got = {r["organization_id"]: Figure(r["signed"], r["n"]) for r in rows}
    return {i.pk: got.get(i.pk, Figure(0, 0)) for i in institutions}


def spot_checks_clean_many(
    institutions: list[Organization], start: dt.date, end: dt.date
) -> dict[int, Figure]:
    """The bureau's spot checks (bureau inspection records) of each institution in [start, end)
    that found no problem, of all its spot checks in the period. One query."""
    from shuangfang.inspections.models import Record

    rows = (
        Record.objects.filter(
            organization__in=institutions,
            by_bureau__isnull=False,
            submitted_at__gte=_start_of(start),
            submitted_at__lt=_start_of(end),
        )
        .values("organization_id")
        .annotate(n=Count("pk"), no_problem=Count("pk", filter=Q(problem_count=0)))
        .order_by()
    )
    got = {r["organization_id"]: Figure(r["no_problem"], r["n"]) for r in rows}
    return {i.pk: got.get(i.pk, Figure(0, 0)) for i in institutions}


def training_completion(institution: Organization, on: dt.date) -> Figure:
    return training_many([institution], on)[institution.pk]


def fire_drills(institution: Organization, start: dt.date, end: dt.date) -> Figure:
    return fire_drills_many([institution], start, end)[institution.pk]


def letters_signed(institution: Organization, year: int) -> Figure:
    return letters_many([institution], year)[institution.pk]


def all_for(institution: Organization, start: dt.date, end: dt.date) -> dict[str, Figure]:
    last = end - dt.timedelta(days=1)
    return {
        "training": training_completion(institution, last),
        "fire_drills": fire_drills(institution, start, end),
        "letters": letters_signed(institution, start.year),
    }


def all_many(institutions: list[Organization], start: dt.date, end: dt.date) -> dict[int, dict[str, Figure]]:
    """:func:`all_for` of several institutions: seven queries whatever their number."""
    last = end - dt.timedelta(days=1)
    train = training_many(institutions, last)
    fire = fire_drills_many(institutions, start, end)
    signed = letters_many(institutions, start.year)
    return {
        i.pk: {"training": train[i.pk], "fire_drills": fire[i.pk], "letters": signed[i.pk]}
        for i in institutions
    }


# --- Assessment ---------------------------------------------------------------------------------

GROUP = "readiness"


def _last(end: dt.date, today: dt.date) -> dt.date:
    return min(end - dt.timedelta(days=1), today)


def _counters(figs: dict[int, Figure], prefix: str) -> dict[int, dict[str, int]]:
    return {k: {f"{prefix}_part": f.part, f"{prefix}_whole": f.whole} for k, f in figs.items()}


def _measure_training(institutions, start, end, today):
    last = _last(end, today)
    if last < start:
        return {}
    return _counters(training_many(institutions, last), "ready_training")


def _measure_drills(institutions, start, end, today):
    if _last(end, today) < start:
        return {}
    return _counters(fire_drills_many(institutions, start, end), "ready_drills")


def _measure_letters(institutions, start, end, today):
    if _last(end, today) < start:
        return {}
    return _counters(letters_many(institutions, start.year), "ready_letters")


def _measure_spot_checks(institutions, start, end, today):
    if _last(end, today) < start:
        return {}
    return _counters(spot_checks_clean_many(institutions, start, end), "ready_spot_clean")


def _figures(prefix: str, words):
    def figures(m):
        raw = {"part": m.get(f"{prefix}_part", 0), "whole": m.get(f"{prefix}_whole", 0)}
        return raw, str(words) % raw, raw["part"], raw["whole"]

    return figures


INDICATORS = [
    (
        "ready_training",
        _measure_training,
        gettext_lazy("Required training done"),
        gettext_lazy("%(part)s of %(whole)s required courses valid"),
        gettext_lazy(
            "Each person's required courses (from posts, roles and risk levels) valid at the end of "
            "the period ÷ all required."
        ),
        gettext_lazy("no training required"),
    ),
    (
        "ready_drills",
        _measure_drills,
        gettext_lazy("Fire drills held"),
        gettext_lazy("%(part)s of %(whole)s fire drills required"),
        gettext_lazy(
            "Fire drills executed in the period ÷ the yearly setting prorated to the period's months "
            "(rounded up), at most 100 %."
        ),
        gettext_lazy("no fire drill required in the period"),
    ),
    (
        "ready_letters",
        _measure_letters,
        gettext_lazy("Responsibility letters signed"),
        gettext_lazy("%(part)s of %(whole)s letters signed"),
        gettext_lazy("Live responsibility letters of the period's year signed ÷ live letters."),
        gettext_lazy("no letter issued for the year"),
    ),
    (
        # The result of the bureau's spot checks (定期抽查): an institution whose spot checks keep
        # finding problems scores low, whatever its own ledgers say.
        "ready_spot_clean",
        _measure_spot_checks,
        gettext_lazy("Spot checks without a problem"),
        gettext_lazy("%(part)s of %(whole)s spot checks found no problem"),
        gettext_lazy(
            "The bureau's spot checks (bureau inspections) of the institution in the period that "
            "found no problem ÷ all its spot checks in the period."
        ),
        gettext_lazy("no spot check in the period"),
    ),
]


def adjustments(institutions: list[Organization], start: dt.date, end: dt.date):
    """Rewards (+) and penalties (−) with points recorded against the institutions in [start, end)
    as accountability records. One query."""
    from shuangfang.assessment.registry import Adjustment

    rows = Accountability.objects.filter(
        organization__in=institutions,
        kind__in=[AccountabilityKind.REWARD, AccountabilityKind.PENALTY],
        points__gt=0,
        created_at__gte=_start_of(start),
        created_at__lt=_start_of(end),
    ).order_by("created_at")
    out: dict[int, list] = {}
    for a in rows:
        sign = Decimal(1) if a.kind == AccountabilityKind.REWARD else Decimal(-1)
        text = _("%(kind)s: %(what)s") % {"kind": a.get_kind_display(), "what": a.description[:80]}
        out.setdefault(a.organization_id, []).append(
            Adjustment(points=sign * a.points, text=text, day=timezone.localdate(a.created_at))
        )
    return out


def register() -> None:
    from shuangfang.assessment import registry
    from shuangfang.assessment.choices import RuleKind

    registry.register_group(GROUP, gettext_lazy("Training, drills and responsibility"), 20)
    for n, (key, fn, label, words, counts, no_data) in enumerate(INDICATORS):
        # One source each: a scheme that weighs only the letters pays one query, not the training's.
        registry.register_source(registry.Source(key, fn))
        registry.register_indicator(
            registry.IndicatorDef(
                key=key,
                label=label,
                group=GROUP,
                source=key,
                kind=RuleKind.RATE,
                figures=_figures(key, words),
                counts=counts,
                no_data=no_data,
                order=n,
            )
        )
    registry.register_adjustments("readiness", adjustments)
