"""Scores against figures worked out by hand from a few records, the no-data rules, schemes
(validation, versions, inheritance), departments, period boundaries and query counts."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shuangfang.assessment import scores, services
from shuangfang.assessment.choices import DEFAULT_RULES, Indicator, NoData, RuleSpec
from shuangfang.assessment.models import ScoringRule, ScoringScheme
from shuangfang.core import periods
from shuangfang.core.models import AuditEntry
from shuangfang.dashboards.tests.records import add_institution, fill
from shuangfang.hazards.models import Hazard
from shuangfang.inspections.tests.factories import closed_task
from shuangfang.orgs.models import User
from shuangfang.risks.models import RiskPoint

pytestmark = pytest.mark.django_db

_seq = itertools.count(1)


def at(day: dt.date, hour: int = 0, minute: int = 0) -> dt.datetime:
    """A moment in Asia/Shanghai."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def last_month() -> periods.Period:
    first = timezone.localdate().replace(day=1)
    prev = first - dt.timedelta(days=1)
    return periods.month(prev.year, prev.month)


task = closed_task


def hazard(inst, status: str, **kw) -> Hazard:
    k = next(_seq)
    kw.setdefault("reported_at", kw.pop("reported", None) or timezone.now() - dt.timedelta(days=400))
    if status == "closed":
        kw.setdefault("accepted_by", User.objects.get(username="root"))
    return Hazard.objects.create(
        organization=inst, number=f"YH-T{k}", title=f"隐患{k}", description="x", status=status, **kw
    )


def point(inst, next_review_on, created: dt.datetime, active: bool = True, department=None) -> RiskPoint:
    k = next(_seq)
    p = RiskPoint.objects.create(
        organization=inst,
        number=k,
        code=f"FX-{k:04d}",
        name=f"点{k}",
        next_review_on=next_review_on,
        is_active=active,
        department=department,
    )
    RiskPoint.objects.filter(pk=p.pk).update(created_at=created)
    return p


def records(world, period: periods.Period) -> None:
    """Institution A's records for ``period`` (a month already over). Worked by hand:

    tasks: 9 done, 2 missed in the period (one done at 00:00 on the first day; one done a minute
    before, one missed at 00:00 after the period and one open, all left out);
    hazards: 4 closed in the period, 3 of them on time; overdue in the period: one still open, one
    closed late; open major hazards at the end: one still open, one closed only after the period;
    risk points: 4 active, one review overdue on the last day."""
    a, post, dept = world.inst_a, world.post_a, world.dept_a
    s, e = period.start, period.end
    last = e - dt.timedelta(days=1)
    task(a, at(s), "done", post)
    for i in range(8):
        task(a, at(s + dt.timedelta(days=2), 9, i), "done", post)
    task(a, at(s + dt.timedelta(days=3), 10), "missed", post)
    task(a, at(last, 23, 59), "missed", post)
    task(a, at(s) - dt.timedelta(minutes=1), "done", post)  # before the period
    task(a, at(e), "missed", post)  # the first minute after it
    task(a, at(s + dt.timedelta(days=4)), "open", post)

    closed_at = at(s + dt.timedelta(days=5), 15)
    hazard(
        a,
        "closed",
        closed_at=closed_at,
        closed_on_time=True,
        deadline=s + dt.timedelta(days=6),
        department=dept,
    )
    hazard(a, "closed", closed_at=closed_at, closed_on_time=True)
    hazard(a, "closed", closed_at=at(s), closed_on_time=True)
    # Closed late in the period: counts as closed (not on time) and as overdue.
    hazard(a, "closed", closed_at=closed_at, closed_on_time=False, deadline=s + dt.timedelta(days=1))
    hazard(
        a,
        "closed",
        closed_at=at(s) - dt.timedelta(minutes=1),
        closed_on_time=False,
        deadline=s - dt.timedelta(days=9),
    )
    # Overdue and still open; open with the deadline on the last day (not overdue yet); rejected.
    hazard(a, "rectifying", deadline=s + dt.timedelta(days=3), department=dept)
    hazard(a, "rectifying", deadline=last)
    hazard(a, "rejected", deadline=s)
    # Major: still open; closed after the period (open at its end); reported after the period.
    hazard(a, "rectifying", grade="major", deadline=e + dt.timedelta(days=300))
    hazard(a, "closed", grade="major", closed_at=at(e), closed_on_time=True)
    hazard(a, "reported", grade="major", reported=at(e))

    created = at(s - dt.timedelta(days=30))
    point(a, last - dt.timedelta(days=1), created, department=dept)  # review overdue
    point(a, last, created, department=dept)  # due on the last day: not overdue yet
    point(a, last + dt.timedelta(days=30), created)
    point(a, None, created)
    point(a, last - dt.timedelta(days=5), created, active=False)
    point(a, last - dt.timedelta(days=5), at(e))  # created after the period


def parts(score: scores.Score) -> dict[str, scores.Part]:
    return {p.code: p for p in score.parts}


def test_scores_equal_hand_computed_values(world):
    period = last_month()
    records(world, period)
    got = scores.institution_scores([world.inst_a, world.inst_b], period.start, period.end)
    a = parts(got[world.inst_a.pk])
    assert a["completion"].raw == {"done": 9, "due": 11}
    assert a["completion"].rate == 81.8
    assert a["completion"].points == 20.5  # 25 × 9 / 11 = 20.45
    assert a["missed"].raw == {"missed": 2, "due": 11}
    assert a["missed"].points == 13.0  # 15 − 2 × 1
    assert a["on_time"].raw == {"on_time": 3, "closed": 4}
    assert a["on_time"].points == 15.0  # 20 × 3 / 4
    assert a["overdue"].raw == {"overdue": 2}
    assert a["overdue"].points == 10.0  # 20 − 2 × 5
    assert a["open_major"].raw == {"open_major": 2}
    assert a["open_major"].points == 0.0  # 10 − min(2 × 10, 10)
    assert a["reviews"].raw == {"up_to_date": 3, "points": 4, "overdue": 1}
    assert a["reviews"].points == 7.5  # 10 × 3 / 4
    assert got[world.inst_a.pk].total == 66.0
    assert "min(2 × 10, 10)" in a["open_major"].calculation
    assert got[world.inst_a.pk].scheme.is_default
    # Institution B has no records: the four indicators without data are left out and the
    # remaining 30 points (no overdue, no open major hazard) are scaled up to 100.
    b = got[world.inst_b.pk]
    assert [p.code for p in b.parts if p.excluded] == ["completion", "missed", "on_time", "reviews"][:3] + [
        "reviews"
    ]
    assert b.counted_weight == 30 and b.scaled and b.total == 100.0


def test_links_list_the_records_counted(world, login):
    """Each indicator's link opens a list whose rows are the records counted."""
    period = last_month()
    records(world, period)
    a = parts(scores.institution_scores([world.inst_a], period.start, period.end)[world.inst_a.pk])
    client = login(world.users["bureau_supervisor"])
    for code, want in (("completion", 11), ("missed", 2), ("on_time", 4), ("overdue", 2), ("open_major", 2)):
        r = client.get(a[code].url)
        assert r.status_code == 200, code
        assert r.context["page_obj"].paginator.count == want, code
    assert a["reviews"].url == ""  # the overdue-review list shows today's, not the period's


def test_current_period_review_link(world, login):
    today = timezone.localdate()
    point(world.inst_a, today - dt.timedelta(days=1), at(today - dt.timedelta(days=40)))
    point(world.inst_b, today - dt.timedelta(days=1), at(today - dt.timedelta(days=40)))
    p = periods.current()
    s = scores.institution_scores([world.inst_a], p.start, p.end)[world.inst_a.pk]
    part = parts(s)["reviews"]
    assert part.raw["overdue"] == 1 and part.points == 0.0
    r = login(world.users["bureau_supervisor"]).get(part.url)
    assert r.context["page_obj"].paginator.count == 1


def _save(world, bureau, rules, actor=None):
    return services.save_scheme(actor=actor or world.users["bureau_supervisor"], bureau=bureau, rules=rules)


def _rules(**weights) -> list[RuleSpec]:
    base = {r.indicator: r for r in DEFAULT_RULES}
    out = []
    for code, spec in base.items():
        w = weights.get(code, spec.weight)
        out.append(RuleSpec(code, w, spec.per_item, spec.cap, spec.no_data))
    return out


def test_no_data_rules(world):
    period = last_month()
    rules = [
        RuleSpec(Indicator.COMPLETION, 40, no_data=NoData.ZERO),
        RuleSpec(Indicator.MISSED, 10, per_item=Decimal(2), no_data=NoData.FULL),
        RuleSpec(Indicator.ON_TIME, 20, no_data=NoData.EXCLUDE),
        RuleSpec(Indicator.OVERDUE, 10, per_item=Decimal(5)),
        RuleSpec(Indicator.OPEN_MAJOR, 10, per_item=Decimal(10)),
        RuleSpec(Indicator.REVIEWS, 10, no_data=NoData.FULL),
    ]
    _save(world, world.bureau, rules)
    b = scores.institution_scores([world.inst_b], period.start, period.end)[world.inst_b.pk]
    got = {p.code: (p.points, p.excluded, p.no_data) for p in b.parts}
    assert got == {
        "completion": (0.0, False, True),
        "missed": (10.0, False, True),
        "on_time": (None, True, True),
        "overdue": (10.0, False, False),
        "open_major": (10.0, False, False),
        "reviews": (10.0, False, True),
    }
    # 40 of the 80 points measured, scaled to 100.
    assert b.counted_weight == 80 and b.total == 50.0


def test_every_indicator_without_data_gives_no_score(world):
    period = last_month()
    rules = [RuleSpec(Indicator.COMPLETION, 100)] + [
        RuleSpec(code, 0, per_item=Decimal(1)) for code in Indicator.values if code != Indicator.COMPLETION
    ]
    _save(world, world.bureau, rules)
    s = scores.institution_scores([world.inst_b], period.start, period.end)[world.inst_b.pk]
    # Everything with a weight was left out: no score, not a made-up 0 or 100.
    assert s.counted_weight == 0 and s.total is None
    rules = [RuleSpec(code, 0, per_item=Decimal(1)) for code in Indicator.values]
    with pytest.raises(ValidationError):
        _save(world, world.bureau, rules)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"completion": 26}, "101"),
        ({"completion": -5, "missed": 45}, "负"),
    ],
)
def test_weights_are_validated_and_nothing_is_saved(world, change, message):
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        _save(world, world.bureau, _rules(**change))
    assert message in " ".join(exc.value.messages)
    assert not ScoringScheme.objects.exists() and not ScoringRule.objects.exists()
    assert not AuditEntry.objects.filter(action="assessment.scheme.save").exists()


def test_deductions_are_validated(world):
    rules = [
        r if r.indicator != Indicator.OVERDUE else RuleSpec(r.indicator, r.weight, Decimal(0))
        for r in _rules()
    ]
    with pytest.raises(ValidationError):
        _save(world, world.bureau, rules)
    assert not ScoringScheme.objects.exists()


def test_only_a_bureau_sets_a_scheme(world):
    with pytest.raises(ValidationError):
        _save(world, world.inst_a, _rules())
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        _save(world, world.bureau, _rules(), actor=world.users["institution_head"])


def test_versions_audit_and_nearest_bureau(world):
    period = last_month()
    insts = [world.inst_a, world.inst_b]
    first = _save(world, world.bureau, _rules(completion=35, on_time=10))
    got = scores.institution_scores(insts, period.start, period.end)
    # B sits under the district, which has no scheme: the city's applies to both.
    assert {s.scheme.id for s in got.values()} == {first.pk}
    district = _save(world, world.district, _rules(overdue=30, open_major=0))
    got = scores.institution_scores(insts, period.start, period.end)
    assert got[world.inst_a.pk].scheme.id == first.pk
    assert got[world.inst_b.pk].scheme.id == district.pk
    assert got[world.inst_b.pk].scheme.bureau == world.district.name
    assert {p.code: p.weight for p in got[world.inst_b.pk].parts}["overdue"] == 30
    # A new version of the city's scheme keeps the old one, out of force, and is audited.
    second = _save(world, world.bureau, _rules())
    assert second.version == 2 and ScoringScheme.objects.get(pk=first.pk).is_current is False
    entry = AuditEntry.objects.filter(action="assessment.scheme.save").latest("id")
    assert entry.changes["completion"][0]["weight"] == 35 and entry.changes["completion"][1]["weight"] == 25
    # Withdrawing the district's scheme sends B back to the city's.
    services.clear_scheme(actor=world.users["bureau_supervisor"], bureau=world.district)
    got = scores.institution_scores(insts, period.start, period.end)
    assert got[world.inst_b.pk].scheme.id == second.pk
    assert AuditEntry.objects.filter(action="assessment.scheme.clear").count() == 1


def test_department_scores(world):
    period = last_month()
    records(world, period)
    got = scores.department_scores(world.inst_a, period.start, period.end)
    assert set(got) == {world.dept_a.pk}
    d = parts(got[world.dept_a.pk])
    # Tasks: all assigned to the cook's post, in the kitchen department.
    assert d["completion"].raw == {"done": 9, "due": 11} and d["completion"].points == 20.5
    assert d["missed"].points == 13.0
    assert d["on_time"].raw == {"on_time": 1, "closed": 1} and d["on_time"].points == 20.0
    assert d["overdue"].raw == {"overdue": 1} and d["overdue"].points == 15.0
    assert d["open_major"].raw == {"open_major": 0} and d["open_major"].points == 10.0
    assert d["reviews"].raw == {"up_to_date": 1, "points": 2, "overdue": 1} and d["reviews"].points == 5.0
    assert got[world.dept_a.pk].total == 83.5
    assert f"department={world.dept_a.pk}" in d["overdue"].url


def test_period_boundaries_in_shanghai(world):
    """A task at 00:00 on the 1st (16:00 UTC the day before) belongs to the month of the 1st."""
    s = dt.date(2026, 3, 1)
    task(world.inst_a, at(s), "done")
    task(world.inst_a, at(s) - dt.timedelta(seconds=1), "missed")
    today = dt.date(2026, 5, 1)
    march = scores.institution_scores([world.inst_a], s, dt.date(2026, 4, 1), today=today)[world.inst_a.pk]
    assert parts(march)["completion"].raw == {"done": 1, "due": 1}
    feb = scores.institution_scores([world.inst_a], dt.date(2026, 2, 1), s, today=today)[world.inst_a.pk]
    assert parts(feb)["completion"].raw == {"done": 0, "due": 1}
    q1 = periods.parse("2026-Q1")
    both = scores.institution_scores([world.inst_a], q1.start, q1.end, today=today)[world.inst_a.pk]
    assert parts(both)["completion"].raw == {"done": 1, "due": 2}


def test_periods():
    assert periods.parse("2026-11").start == dt.date(2026, 11, 1)
    assert periods.parse("2026-12").end == dt.date(2027, 1, 1)
    assert (periods.parse("2026-Q4").start, periods.parse("2026-Q4").end) == (
        dt.date(2026, 10, 1),
        dt.date(2027, 1, 1),
    )
    assert periods.parse("2026").end == dt.date(2027, 1, 1)
    today = dt.date(2026, 11, 29)
    months, quarters, years = (options for _label, options in periods.offered(today))
    assert len(months) == 12 and months[-1].key == "2025-12" and years[-1].key == "2024"
    assert [q.key for q in quarters] == ["2026-Q4", "2026-Q3", "2026-Q2", "2026-Q1", "2025-Q4"]


def test_future_period_has_nothing_to_measure(world):
    fill(world.inst_a, world.users["safety_officer"], n=2, post=world.post_a)
    today = timezone.localdate()
    p = periods.year(today.year + 1)
    s = scores.institution_scores([world.inst_a], p.start, p.end)[world.inst_a.pk]
    assert all(v == 0 for part in s.parts for v in part.raw.values())


@pytest.mark.parametrize("n", [2, 12])
def test_query_count_does_not_grow(world, n):
    acceptor = world.users["safety_officer"]
    insts = [add_institution(world.bureau if i % 2 else world.district, f"机构{i}") for i in range(n)]
    for inst in insts:
        fill(inst, acceptor, n=2)
    _save(world, world.district, _rules())
    p = periods.current()
    with CaptureQueriesContext(connection) as ctx:
        got = scores.institution_scores(insts, p.start, p.end)
    assert len(got) == n and len(ctx.captured_queries) == SCORE_QUERIES
    with CaptureQueriesContext(connection) as ctx:
        scores.department_scores(world.inst_a, p.start, p.end)
    assert len(ctx.captured_queries) == DEPARTMENT_QUERIES


# Scheme (rules with their scheme and bureau), tasks, hazards, risk points; departments: + the list.
SCORE_QUERIES = 4
DEPARTMENT_QUERIES = 5
