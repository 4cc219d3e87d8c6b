"""Spot checks (定期抽查) as real inspection tasks: the plan by rule makes exactly the expected open
tasks for the bureau's inspector (twice = once), the bureau inspection of the institution closes its
task, a task not done in time is missed by the sweep (which takes tasks without a plan) and can be
linked as accountability evidence; the spot-check indicator against hand-computed values."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from shuangfang.assessment import scores
from shuangfang.assessment.choices import RuleSpec
from shuangfang.core.events import published
from shuangfang.dashboards.queries import figures as dashboard_figures
from shuangfang.inspections.checklists import create_checklist
from shuangfang.inspections.choices import TaskStatus
from shuangfang.inspections.counts import TASKS
from shuangfang.inspections.models import Task, TaskDay
from shuangfang.inspections.records import Answer, bureau_inspect
from shuangfang.inspections.taskflow import my_spot_checks, spot_key, sweep_missed
from shuangfang.readiness import bureau, indicators
from shuangfang.readiness.models import SpotCheckRule
from shuangfang.reports.periods import parse as parse_period
from shuangfang.reports.queries import figures as report_figures

from .helpers import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def rule(world, monkeypatch):
    """The default rule (once a quarter, twice below 60) with the supervisor as inspector; last
    quarter's scores: A 80, B 55 (low)."""
    monkeypatch.setattr(
        bureau, "_last_quarter_scores", lambda insts, start: {world.inst_a.pk: 80.0, world.inst_b.pk: 55.0}
    )
    return bureau.save_spot_rule(
        actor=world.users["bureau_supervisor"],
        bureau=world.bureau,
        per_quarter=1,
        low_score_below=60,
        low_score_per_quarter=2,
        source="局务会决定",
        inspector=world.users["bureau_supervisor"],
    )


def _checklist(world):
    if "spot_list" not in world.__dict__:
        world.__dict__["spot_list"] = create_checklist(
            actor=world.users["admin"],
            organization=world.bureau,
            name="局检",
            kind="bureau",
            category="rules",
            library_codes=["F01"],
        )
    return world.__dict__["spot_list"]


def _inspect(world, institution, when, *, problem=False, actor="bureau_supervisor"):
    checklist = _checklist(world)
    item = checklist.items.get()
    with time_machine.travel(when, tick=False):
        return bureau_inspect(
            actor=world.users[actor],
            institution=institution,
            checklist=checklist,
            answers=[Answer(str(item.uuid), "problem" if problem else "ok", "灭火器过期" if problem else "")],
        )


def _spot(world, inst):
    tasks = Task.objects.filter(organization=inst, place_key=spot_key(world.bureau.pk))
    return list(tasks.order_by("window_start"))


def test_plan_makes_exactly_the_expected_tasks_once(world, rule):
    """On 1 March 2026 08:00 (31 days left in Q1): A (score 80) needs 1 spot check, B (55) needs 2:
    one task for A over the rest of the quarter, two for B splitting it at 16 March 00:00."""
    made = bureau.plan_spot_tasks(world.bureau, actor=world.users["bureau_supervisor"])
    assert len(made) == 3
    (a,) = _spot(world, world.inst_a)
    assert (a.window_start, a.window_end) == (at(2026, 3, 1, 8), at(2026, 4, 1, 0))
    b1, b2 = _spot(world, world.inst_b)
    assert [(t.window_start, t.window_end) for t in (b1, b2)] == [
        (at(2026, 3, 1, 8), at(2026, 3, 16, 0)),
        (at(2026, 3, 16, 0), at(2026, 4, 1, 0)),
    ]
    for t in (a, b1, b2):
        assert t.plan_id is None and t.status == TaskStatus.OPEN
        assert t.assignee_kind == "person" and t.assignee_user == world.users["bureau_supervisor"]
    # Twice = once: a second click, and the daily job, make nothing.
    assert bureau.plan_spot_tasks(world.bureau, actor=world.users["bureau_supervisor"]) == []
    with time_machine.travel(at(2026, 3, 20, 8, 30), tick=False):
        assert bureau.plan_spot_tasks(world.bureau) == []
    assert Task.objects.filter(place_key__startswith="spot:").count() == 3
    # The inspector's list: the three, the soonest due first; nobody else's.
    mine = my_spot_checks(world.users["bureau_supervisor"])
    assert mine[0] == b1 and set(mine[1:]) == {a, b2}
    assert my_spot_checks(world.users["admin"]) == []
    # The plan page counts them as open.
    rows = {r.institution.pk: r for r in bureau.spot_check_plan(world.bureau, dt.date(2026, 3, 1))}
    assert (rows[world.inst_a.pk].open_tasks, rows[world.inst_b.pk].open_tasks) == (1, 2)
    # Next quarter: new tasks, once.
    with time_machine.travel(at(2026, 4, 1, 8, 30), tick=False):
        assert len(bureau.plan_spot_tasks(world.bureau)) == 3


def test_an_institution_already_checked_this_quarter_gets_no_task(world, rule):
    _inspect(world, world.inst_a, at(2026, 2, 10, 10))
    bureau.plan_spot_tasks(world.bureau, actor=world.users["bureau_supervisor"])
    assert _spot(world, world.inst_a) == [] and len(_spot(world, world.inst_b)) == 2


def test_plan_needs_an_inspector_and_the_bureau(world, rule):
    with pytest.raises(PermissionDenied):
        bureau.plan_spot_tasks(world.bureau, actor=world.users["institution_head"])
    with pytest.raises(ValidationError, match="does not inspect"):
        bureau.save_spot_rule(
            actor=world.users["bureau_supervisor"],
            bureau=world.bureau,
            per_quarter=1,
            low_score_below=None,
            low_score_per_quarter=None,
            source="x",
            inspector=world.users["staff"],
        )
    bureau.save_spot_rule(
        actor=world.users["bureau_supervisor"],
        bureau=world.bureau,
        per_quarter=1,
        low_score_below=None,
        low_score_per_quarter=None,
        source="x",
    )
    with pytest.raises(ValidationError, match="inspector"):
        bureau.plan_spot_tasks(world.bureau, actor=world.users["bureau_supervisor"])
    assert bureau.plan_spot_tasks(world.bureau) == []  # the daily job: nothing to do, no error
    assert not Task.objects.filter(place_key__startswith="spot:").exists()


def test_bureau_inspection_closes_the_open_task(world, rule):
    bureau.plan_spot_tasks(world.bureau, actor=world.users["bureau_supervisor"])
    (a,) = _spot(world, world.inst_a)
    before = Task.objects.count()
    record = _inspect(world, world.inst_a, at(2026, 3, 5, 10))
    a.refresh_from_db()
    assert record.task == a and a.status == TaskStatus.DONE and a.closed_at == at(2026, 3, 5, 10)
    assert Task.objects.count() == before  # no second task for the same inspection
    assert TaskDay.objects.get(organization=world.inst_a, day=dt.date(2026, 3, 1)).done == 1
    # B: a colleague's inspection on 5 March closes B's first window, not the second.
    b1, b2 = _spot(world, world.inst_b)
    _inspect(world, world.inst_b, at(2026, 3, 5, 11), actor="admin")
    b1.refresh_from_db()
    b2.refresh_from_db()
    assert (b1.status, b2.status) == (TaskStatus.DONE, TaskStatus.OPEN)
    assert my_spot_checks(world.users["bureau_supervisor"], at=at(2026, 3, 5, 12)) == [b2]
    # A second inspection of A this quarter: recorded as before, with a task done on the spot.
    again = _inspect(world, world.inst_a, at(2026, 3, 6, 10))
    assert again.task != a and again.task.status == TaskStatus.DONE
    assert again.task.place_key.startswith("bureau:")


def test_spot_task_not_done_in_time_is_missed_and_is_evidence(world, rule):
    bureau.plan_spot_tasks(world.bureau, actor=world.users["bureau_supervisor"])
    b1, b2 = _spot(world, world.inst_b)
    # The sweep takes plan-less tasks like the others.
    assert sweep_missed(now=at(2026, 3, 16, 0, 5)) == 1
    b1.refresh_from_db()
    assert b1.status == TaskStatus.MISSED
    (event,) = [e for _k, e in published("inspection.task_missed") if e["task_uuid"] == str(b1.uuid)]
    assert event["recipient_ids"] == [world.users["bureau_supervisor"].pk] and event["roles"] == []
    assert event["title"].startswith("抽查漏检")
    # The miss is the bureau's: the institution's task figures do not count it.
    assert not TaskDay.objects.filter(organization=world.inst_b, missed__gt=0).exists()
    assert TASKS.expected() == {}
    with time_machine.travel(at(2026, 3, 16, 9), tick=False):
        row = dashboard_figures([world.inst_b.pk], today=dt.date(2026, 3, 16))[world.inst_b.pk]
    assert (row["tasks_missed"], row["today_total"]) == (0, 0)
    quarter = report_figures([world.inst_b.pk], parse_period("2026-Q1"))[world.inst_b.pk]
    assert (quarter["tasks_done"], quarter["tasks_missed"]) == (0, 0)
    assert {c["uuid"] for c in bureau.evidence_choices(world.inst_b, dt.date(2026, 3, 16))} == {str(b1.uuid)}
    record = bureau.record_accountability(
        actor=world.users["bureau_supervisor"],
        institution=world.inst_b,
        kind="interview",
        description="抽查任务逾期未完成",
        evidence_uuids=[str(b1.uuid)],
    )
    assert [e["uuid"] for e in record.evidence] == [str(b1.uuid)]
    # An inspection after the miss closes the second window's task, never the missed one.
    _inspect(world, world.inst_b, at(2026, 3, 17, 9))
    b1.refresh_from_db()
    b2.refresh_from_db()
    assert (b1.status, b2.status) == (TaskStatus.MISSED, TaskStatus.DONE)


def test_spot_check_indicator_against_hand_computed_values(world):
    """Institution A in Q1 2026: spot checks on 10 Feb (no problem), 5 Mar (a problem), 20 Mar (no
    problem); one on 2 Apr (Q2, not counted) → 2 of 3 found no problem = 66.7 %.
    Institution B: no spot check → no data (left out of the score, not 0).
    With the indicator weighted 50 and letters 50 (A has no letters: left out), A gets
    2/3 × 50 = 33.3 points of the 50 measured, scaled to 100: 33.3 × 2 = 66.6."""
    _inspect(world, world.inst_a, at(2026, 2, 10, 10))
    _inspect(world, world.inst_a, at(2026, 3, 5, 10), problem=True)
    _inspect(world, world.inst_a, at(2026, 3, 20, 10))
    _inspect(world, world.inst_a, at(2026, 4, 2, 10), problem=True)
    q1 = (dt.date(2026, 1, 1), dt.date(2026, 4, 1))
    figs = indicators.spot_checks_clean_many([world.inst_a, world.inst_b], *q1)
    a, b = figs[world.inst_a.pk], figs[world.inst_b.pk]
    assert (a.part, a.whole, a.pct) == (2, 3, 66.7)
    assert (b.part, b.whole, b.pct) == (0, 0, None)
    with time_machine.travel(at(2026, 4, 3, 10), tick=False):
        scheme = scores.SchemeRef(
            rules=scores.ordered_rules([RuleSpec("ready_spot_clean", 50), RuleSpec("ready_letters", 50)])
        )
        got = scores.institution_scores([world.inst_a, world.inst_b], *q1, scheme=scheme)
    parts = {p.code: p for p in got[world.inst_a.pk].parts}
    assert parts["ready_spot_clean"].raw == {"part": 2, "whole": 3}
    assert parts["ready_spot_clean"].points == 33.3 and parts["ready_letters"].excluded
    assert got[world.inst_a.pk].total == 66.6
    assert {p.code: p.excluded for p in got[world.inst_b.pk].parts}["ready_spot_clean"] is True


def test_the_page_saves_the_inspector_and_plans_the_tasks(world, login, monkeypatch):
    monkeypatch.setattr(bureau, "_last_quarter_scores", lambda insts, start: {})
    client = login(world.users["bureau_supervisor"])
    url = reverse("readiness:bureau")
    rule = {"per_quarter": "1", "low_score_below": "60", "low_score_per_quarter": "2", "source": "局务会决定"}
    # Without an inspector the plan makes nothing and says why.
    client.post(url, rule)
    page = client.post(url, {"action": "plan"}, follow=True).content.decode()
    assert "请先在抽查规则中选定民政局的检查人" in page and not Task.objects.exists()
    # Someone not in the list is refused; nothing is saved.
    page = client.post(
        url, {**rule, "inspector": str(world.users["staff"].uuid)}, follow=True
    ).content.decode()
    assert "请从列表中选择检查人" in page
    assert SpotCheckRule.objects.get(organization=world.bureau).inspector is None
    client.post(url, {**rule, "inspector": str(world.users["bureau_supervisor"].uuid)})
    assert SpotCheckRule.objects.get(organization=world.bureau).inspector == world.users["bureau_supervisor"]
    page = client.post(url, {"action": "plan"}, follow=True).content.decode()
    assert "已生成 2 个抽查任务" in page
    assert "本季度各机构的抽查已安排" in client.post(url, {"action": "plan"}, follow=True).content.decode()
    assert Task.objects.filter(place_key=spot_key(world.bureau.pk)).count() == 2
